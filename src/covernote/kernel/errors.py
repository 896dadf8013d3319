"""Domain errors carry the field they concern and a reason a person can act on."""

from __future__ import annotations

from dataclasses import dataclass, field


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

    def text(self, name: str, value: str | None, limit: int, required: bool = True) -> str | None:
        """`value` stripped, or None when empty; an issue when required and empty, or longer than `limit`."""
        text = (value or "").strip()
        if not text:
            if required:
                self.add(name, "is required")
            return None
        if len(text) > limit:
            self.add(name, f"at most {limit} characters")
        if "\x00" in text:  # no database stores it faithfully (PostgreSQL refuses it)
            self.add(name, "must not contain NUL characters")
        return text


class PaymentRequired(DomainError):
    """The payment provider declined; nothing was changed."""

    code = "payment-declined"


class ServiceUnavailable(DomainError):
    """An outside system did not answer; nothing was changed and the request may be retried."""

    code = "service-unavailable"
