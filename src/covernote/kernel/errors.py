"""Domain errors carry the field they concern and a reason a person can act on."""

from __future__ import annotations

from dataclasses import dataclass, field

from covernote.kernel.text import MULTI_LINE_FROM, clean_text


@dataclass(frozen=True)
class FieldIssue:
    field: str
    reason: str


class DomainError(Exception):
    """A business rule refused the request. `issues` names each field and why."""

    code = "rule-violation"

    def __init__(self, message: str, issues: list[FieldIssue] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.issues: list[FieldIssue] = issues or []


class ValidationFailed(DomainError):
    code = "validation-failed"


class NotFound(DomainError):
    code = "not-found"


class Conflict(DomainError):
    """The request conflicts with the current state (stale version, already bound, expired quote)."""

    code = "conflict"


class Forbidden(DomainError):
    code = "forbidden"


@dataclass
class IssueCollector:
    """Collects every failed condition so a rejection names all of them at once."""

    issues: list[FieldIssue] = field(default_factory=list)

    def add(self, field_name: str, reason: str) -> None:
        self.issues.append(FieldIssue(field_name, reason))

    def raise_if_any(self, message: str) -> None:
        if self.issues:
            raise ValidationFailed(message, list(self.issues))

    def text(self, name: str, value: str | None, limit: int, required: bool = True,
             multiline: bool | None = None) -> str | None:
        """`value` stripped and in NFC, or None when empty; an issue when required and empty, longer than
        `limit`, or holding a character the text rule refuses (`covernote.kernel.text`)."""
        text = (value or "").strip()
        if not text:
            if required:
                self.add(name, "is required")
            return None
        if len(text) > limit:
            self.add(name, f"at most {limit} characters")
        if multiline is None:
            multiline = limit >= MULTI_LINE_FROM
        try:  # the one text rule (issue 13, item 13): NFC, nothing hidden, no NUL on any database
            text = clean_text(text, multiline=multiline)
        except ValueError as exc:
            self.add(name, str(exc))
        return text


class PaymentRequired(DomainError):
    """The payment provider declined; nothing was changed."""

    code = "payment-declined"


class ServiceUnavailable(DomainError):
    """An outside system did not answer; nothing was changed and the request may be retried."""

    code = "service-unavailable"
