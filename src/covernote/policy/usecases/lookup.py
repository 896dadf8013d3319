"""Finding a policy for a caller: by id or number, only the caller's own for a customer, and its balance."""

from __future__ import annotations

from covernote.identity.usecases import Principal, check_customer
from covernote.kernel.errors import Conflict, FieldIssue, NotFound
from covernote.kernel.journal import RECEIVABLE
from covernote.kernel.money import Money
from covernote.platform.uow import UnitOfWork
from covernote.policy.domain.model import Policy, is_anonymised


def find_policy(uow: UnitOfWork, principal: Principal, policy_id: str) -> Policy:
    """The policy by id or number, as the caller may see it; it may be anonymised (read it with care)."""
    policy = uow.policies.get(policy_id) or uow.policies.by_number(policy_id)
    if policy is None:
        raise NotFound("no such policy", [FieldIssue("policy_id", f"no policy {policy_id} that you can see")])
    check_customer(principal, policy.customer_id, "policy")
    return policy


def customers_policy_id(uow: UnitOfWork, customer_id: str, policy_id: str | None) -> str | None:
    """The id of the customer's policy given by id or number (None stays None); 404 naming `policy_id`
    when it is not one of theirs."""
    if policy_id is None:
        return None
    policy = uow.policies.get(policy_id) or uow.policies.by_number(policy_id)
    if policy is None or policy.customer_id != customer_id:
        raise NotFound("no such policy of this customer",
                       [FieldIssue("policy_id", f"no policy {policy_id} of customer {customer_id}")])
    return policy.policy_id


def load_policy(uow: UnitOfWork, principal: Principal, policy_id: str) -> Policy:
    """The policy to work on. One whose records were anonymised under the retention schedule (PRV-5) keeps
    only its amounts and dates: nothing more can be done with it."""
    policy = find_policy(uow, principal, policy_id)
    if is_anonymised(policy):
        raise Conflict("the policy's records were anonymised under the retention schedule: only its amounts "
                       "and dates remain", [FieldIssue("policy_id", "anonymised")])
    return policy


def balance_of(uow: UnitOfWork, policy_id: str) -> Money:
    """What the policyholder owes (positive) or is owed: the policy's receivable account."""
    return uow.ledger.account_balance(policy_id, RECEIVABLE)
