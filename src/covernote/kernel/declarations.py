"""What personal data is held, about whom, why, on what lawful basis, who provided it, and how each
field is erased (PRV-1, PRV-9). Every stored field carries one of these declarations where it is
defined; the data map is generated from them, never written by hand."""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from covernote.kernel.memo import BoundedMemo


class Subject(enum.StrEnum):
    """Whose data it is."""

    CUSTOMER = "customer"
    NAMED_DRIVER = "named_driver"
    DEALERSHIP_EMPLOYEE = "dealership_employee"
    THIRD_PARTY_CLAIMANT = "third_party_claimant"
    THIRD_PARTY = "third_party"  # another person in a claim: a driver, passenger or injured person (CLM-1)
    WITNESS = "witness"
    USER = "user"  # a person with an API token (staff, administrator, customer login)


class Category(enum.StrEnum):
    IDENTITY = "identity"
    CONTACT = "contact"
    VEHICLE = "vehicle"
    DRIVING_LICENCE = "driving_licence"
    FINANCIAL = "financial"
    CONTRACT = "contract"
    CLAIMS_HISTORY = "claims_history"
    TELEMATICS = "telematics"
    LOCATION = "location"
    HEALTH = "health"
    CRIMINAL_CONVICTIONS = "criminal_convictions"
    CONNECTION = "connection"
    AUTHENTICATION = "authentication"
    FRAUD = "fraud"  # suspected or proven fraud markers (S1 section 10); kept for fraud prevention
    PRIVACY_REQUESTS = "privacy_requests"  # the person's own data-protection requests and directives


SPECIAL_CATEGORIES = frozenset({Category.HEALTH, Category.CRIMINAL_CONVICTIONS})


class Basis(enum.StrEnum):
    """Lawful bases (UK GDPR art. 6), and for special categories the condition relied on."""

    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    LEGITIMATE_INTERESTS = "legitimate_interests"
    CONSENT = "consent"
    INSURANCE_CONDITION = "insurance_condition"  # DPA 2018 Sch. 1 para 20, for special categories (PRV-7)


class ProvidedBy(enum.StrEnum):
    DATA_SUBJECT = "data_subject"
    POLICYHOLDER = "policyholder"  # data about another person entered by the customer (PRV-9)
    DEALERSHIP = "dealership"
    THIRD_PARTY = "third_party"
    GENERATED = "generated"  # made by Covernote itself (ids, prices, tokens)


class Erasure(enum.StrEnum):
    """How a field is erased when erasure is due and nothing requires it to be kept."""

    DELETE_ROW = "delete_row"
    NULL = "null"
    KEYED_HASH = "keyed_hash"
    ENCRYPT_DROP_KEY = "encrypt_then_drop_key"


@dataclass(frozen=True)
class Purpose:
    code: str
    description: str
    basis: Basis


PURPOSES: Mapping[str, Purpose] = {p.code: p for p in (
    Purpose("quotation", "assess the risk and give a price the customer asked for", Basis.CONTRACT),
    Purpose("policy_administration", "arrange, change, renew and cancel the policy", Basis.CONTRACT),
    Purpose("pricing", "assess risk and set prices (S1 section 6)", Basis.LEGITIMATE_INTERESTS),
    Purpose("payments", "take premiums and pay refunds", Basis.CONTRACT),
    Purpose("accounting", "keep the accounts and pay Insurance Premium Tax", Basis.LEGAL_OBLIGATION),
    Purpose("fraud_prevention", "prevent and detect fraud and crime (S1 section 10, S3)", Basis.LEGITIMATE_INTERESTS),
    Purpose("regulatory_reporting", "report to the Motor Insurance Database and regulators (S1 section 11)",
            Basis.LEGAL_OBLIGATION),
    Purpose("claims", "handle claims", Basis.CONTRACT),
    Purpose("complaints", "handle complaints", Basis.LEGAL_OBLIGATION),
    Purpose("service_access", "authenticate users of the service and keep it secure", Basis.LEGITIMATE_INTERESTS),
    Purpose("marketing", "send marketing the person agreed to receive", Basis.CONSENT),
    Purpose("special_category_underwriting", "underwrite using health or convictions data", Basis.INSURANCE_CONDITION),
    Purpose("special_category_claims", "handle a claim using health data about injuries", Basis.INSURANCE_CONDITION),
)}


@dataclass(frozen=True)
class PersonalData:
    """The declaration of one stored field of personal data."""

    subject: Subject
    category: Category
    purposes: tuple[str, ...]
    provided_by: ProvidedBy
    erasure: Erasure
    note: str = ""

    def __post_init__(self) -> None:
        unknown = [p for p in self.purposes if p not in PURPOSES]
        if unknown or not self.purposes:
            raise ValueError(f"unknown or missing purposes {unknown or '(none)'}; declare them in PURPOSES")
        if self.category in SPECIAL_CATEGORIES and not any(PURPOSES[p].basis is Basis.INSURANCE_CONDITION
                                                           for p in self.purposes):
            raise ValueError(f"{self.category} is special category data: it needs a recorded condition (PRV-7)")

    @property
    def special(self) -> bool:
        return self.category in SPECIAL_CATEGORIES


@dataclass(frozen=True)
class NotPersonal:
    """An explicit statement that a field holds no personal data, with the reason."""

    reason: str


@dataclass(frozen=True)
class PersonalInside:
    """A structured (JSON) field holding personal data at these paths (`drivers[].name`...); every
    other path in it is not personal. `subject_of` names the path whose value says whose data it is,
    where that varies (a driver may be the policyholder or a named driver)."""

    paths: Mapping[str, PersonalData] = field(default_factory=dict)
    note: str = ""


Declaration = PersonalData | NotPersonal | PersonalInside


@dataclass(frozen=True)
class DeclaredField:
    """One row of the data map: where a field is stored and what it is."""

    location: str  # table.column, or table.column:json.path
    declaration: PersonalData | NotPersonal

    def as_dict(self) -> dict[str, Any]:
        d = self.declaration
        if isinstance(d, NotPersonal):
            return {"field": self.location, "personal": False, "reason": d.reason}
        return {
            "field": self.location, "personal": True, "subject": d.subject.value, "category": d.category.value,
            "special_category": d.special,
            "purposes": [{"purpose": p, "description": PURPOSES[p].description, "lawful_basis": PURPOSES[p].basis.value}
                         for p in d.purposes],
            "provided_by": d.provided_by.value, "erasure": d.erasure.value, "note": d.note,
        }


def expand(location: str, declaration: Declaration) -> list[DeclaredField]:
    """The data-map rows of one field: itself, or one row per declared path inside it."""
    if isinstance(declaration, PersonalInside):
        return [DeclaredField(f"{location}:{path}", d) for path, d in sorted(declaration.paths.items())]
    return [DeclaredField(location, declaration)]


class _Node:
    """One step of the declared paths of a structured field: the declaration met here (`leaf`), the one
    every key of a document here falls under (`wild`, from `answers.*`), and the steps below, by key
    (`[]` for the elements of a list)."""

    __slots__ = ("children", "leaf", "wild")

    def __init__(self) -> None:
        self.leaf: tuple[str, PersonalData] | None = None
        self.wild: tuple[str, PersonalData] | None = None
        self.children: dict[str, _Node] = {}


_STEP = re.compile(r"[^.\[\]]+|\[\]")


@functools.lru_cache(maxsize=256)
def _trie(paths: tuple[tuple[str, PersonalData], ...]) -> _Node:
    root = _Node()
    for pattern, decl in paths:
        wildcard = pattern.endswith(".*")
        node = root
        for step in _STEP.findall(pattern[:-2] if wildcard else pattern):
            node = node.children.setdefault(step, _Node())
        if wildcard:
            node.wild = (pattern, decl)
        else:
            node.leaf = (pattern, decl)
    return root


# The trie of each declared paths mapping met, by identity (the declarations are built once, at import):
# a sweep visits thousands of documents of the same few columns.
_TRIES = BoundedMemo[_Node](1024)


def _trie_of(paths: Mapping[str, PersonalData]) -> _Node:
    return _TRIES.get(id(paths), (paths,), lambda: _trie(tuple(sorted(paths.items(), key=lambda kv: kv[0]))))


def declared_trie(paths: Mapping[str, PersonalData]) -> _Node:
    """The declared paths as a trie (`leaf`, `wild`, `children` by key, `[]` for list elements), for a
    caller that walks many documents of one column itself (the sweep's erasure); read-only."""
    return _trie_of(paths)


# visit(container, key, pattern, declaration, concrete path or None): the value is container[key].
Visit = Callable[[Any, Any, str, PersonalData, str | None], None]


def visit_declared(value: Any, paths: Mapping[str, PersonalData], visit: Visit, with_paths: bool = True) -> None:
    """Call `visit` for every declared value inside a structured field, with the container holding it
    and its key (so the caller may replace it in place), the declared pattern (`drivers[].name`) and,
    with `with_paths`, the concrete path (`drivers[0].name`). A value matching a pattern is not looked
    into further (`changes[]` declares each whole element); only the branches a declared path can reach
    are walked, so the cost follows the declared paths, not the size of the document."""
    root = _trie_of(paths)

    def walk(node: Any, trie: _Node, concrete: str | None) -> None:
        if isinstance(node, dict):
            wild = trie.wild
            if wild is not None:
                for key in node:
                    child = trie.children.get(key)
                    pattern, decl = child.leaf if child is not None and child.leaf is not None else wild
                    visit(node, key, pattern, decl, _join(concrete, key))
                return
            for key, child in trie.children.items():
                if key not in node:
                    continue
                if child.leaf is not None:
                    visit(node, key, child.leaf[0], child.leaf[1], _join(concrete, key))
                elif child.children or child.wild is not None:
                    walk(node[key], child, _join(concrete, key))
        elif isinstance(node, list):
            child = trie.children.get("[]")
            if child is None:
                return
            for i, item in enumerate(node):
                here = None if concrete is None else f"{concrete}[{i}]"
                if child.leaf is not None:
                    visit(node, i, child.leaf[0], child.leaf[1], here)
                else:
                    walk(item, child, here)

    walk(value, root, "" if with_paths else None)


def _join(concrete: str | None, key: str) -> str | None:
    if concrete is None:
        return None
    return f"{concrete}.{key}" if concrete else key


def iter_declared(value: Any, paths: Mapping[str, PersonalData]) -> Iterator[tuple[str, str, PersonalData, Any]]:
    """The declared values inside a structured field: (concrete path such as `drivers[0].name`, the
    declared pattern `drivers[].name`, its declaration, the value), in the order of the declared paths."""
    found: list[tuple[str, str, PersonalData, Any]] = []
    visit_declared(value, paths, lambda container, key, pattern, decl, concrete:
                   found.append((concrete or "", pattern, decl, container[key])))
    return iter(found)
