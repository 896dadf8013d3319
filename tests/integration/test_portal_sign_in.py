"""Issue 14 (UX-2, SEC-1): the portal's sign-in rules on SQLite and PostgreSQL: argon2id passwords, server-side
sessions with idle and absolute expiry, sign-out, the per-user-name lock-out that says nothing of who has an
account, and a closed login (erasure) that signs in to nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from covernote.identity.usecases import SYSTEM, Principal, create_user
from covernote.identity.usecases import web as portal
from covernote.kernel.errors import Conflict, Forbidden, ValidationFailed
from covernote.store.tables import users, web_sessions
from tests.support import new_customer

PASSWORD = "correct horse battery"


def _customer_user(ctx, login: str = "ann@example.org") -> str:  # type: ignore[no-untyped-def]
    user, _ = create_user(ctx, "Ann", "customer", new_customer(ctx))
    portal.set_password(ctx, SYSTEM, user.user_id, login, PASSWORD)
    return user.user_id


def test_issue14_password_is_kept_only_as_an_argon2id_hash_and_signs_in(db_ctx):
    user_id = _customer_user(db_ctx, "  Ann@Example.org ")
    with db_ctx.uow.engine.connect() as conn:  # type: ignore[attr-defined]
        row = conn.execute(sa.select(users.c.login, users.c.password_hash).where(users.c.id == user_id)).one()
    assert row.login == "ann@example.org"  # case-folded, trimmed
    assert row.password_hash.startswith("$argon2id$") and PASSWORD not in row.password_hash
    session = portal.sign_in(db_ctx, "ANN@example.org", PASSWORD)
    who = portal.signed_in(db_ctx, session["session_id"])
    assert who is not None and who.principal.user_id == user_id and who.principal.role == "customer"
    assert who.csrf_token == session["csrf_token"]
    with db_ctx.uow.engine.connect() as conn:  # type: ignore[attr-defined]
        stored = conn.execute(sa.select(web_sessions.c.id_hash)).scalars().all()
    assert session["session_id"] not in stored  # only its SHA-256 is kept


def test_issue14_only_an_administrator_sets_passwords_and_bad_ones_are_named(db_ctx):
    user, _ = create_user(db_ctx, "Sam", "staff")
    with pytest.raises(Forbidden):
        portal.set_password(db_ctx, Principal(user.user_id, "staff"), user.user_id, "sam", PASSWORD)
    with pytest.raises(ValidationFailed) as e:
        portal.set_password(db_ctx, SYSTEM, user.user_id, "", "short")
    assert {i.field for i in e.value.issues} == {"login", "password"}
    other, _ = create_user(db_ctx, "Tom", "staff")
    portal.set_password(db_ctx, SYSTEM, user.user_id, "sam", PASSWORD)
    with pytest.raises(Conflict):
        portal.set_password(db_ctx, SYSTEM, other.user_id, "SAM", PASSWORD)


def test_issue14_sessions_end_on_sign_out_when_idle_and_at_their_absolute_limit(db_ctx, clock):
    _customer_user(db_ctx)
    a = portal.sign_in(db_ctx, "ann@example.org", PASSWORD)["session_id"]
    portal.sign_out(db_ctx, a)
    assert portal.signed_in(db_ctx, a) is None  # ended on the server, wherever the cookie is kept

    idle = portal.sign_in(db_ctx, "ann@example.org", PASSWORD)["session_id"]
    clock.advance(portal.SESSION_IDLE - timedelta(seconds=1))
    assert portal.signed_in(db_ctx, idle) is not None  # used: its idle time starts again
    clock.advance(portal.SESSION_IDLE - timedelta(seconds=1))
    assert portal.signed_in(db_ctx, idle) is not None
    clock.advance(portal.SESSION_IDLE)
    assert portal.signed_in(db_ctx, idle) is None  # unused for the idle limit

    busy = portal.sign_in(db_ctx, "ann@example.org", PASSWORD)["session_id"]
    used = timedelta()
    while used + portal.SESSION_IDLE / 2 < portal.SESSION_ABSOLUTE:
        clock.advance(portal.SESSION_IDLE / 2)
        used += portal.SESSION_IDLE / 2
        assert portal.signed_in(db_ctx, busy) is not None
    clock.advance(portal.SESSION_IDLE / 2)
    assert portal.signed_in(db_ctx, busy) is None  # however busy, it ends at its absolute limit


def test_issue14_five_wrong_passwords_lock_the_user_name_and_an_unknown_one_answers_alike(db_ctx, clock):
    _customer_user(db_ctx)
    answers = {}
    for login in ("ann@example.org", "nobody@example.org"):
        said = []
        for _ in range(portal.LOCKOUT_FAILURES):
            with pytest.raises(portal.SignInRefused) as e:
                portal.sign_in(db_ctx, login, "wrong password!")
            said.append((str(e.value), e.value.retry_after))
        answers[login] = said
    assert answers["ann@example.org"] == answers["nobody@example.org"]  # nothing says who has an account
    assert answers["ann@example.org"][0] == (portal.WRONG, None)
    assert answers["ann@example.org"][-1] == ("too many failed sign-ins for this user name: try again in 15 minutes",
                                              15 * 60)
    clock.advance(timedelta(minutes=10))
    with pytest.raises(portal.SignInRefused) as e:  # the right password too, while locked
        portal.sign_in(db_ctx, "ann@example.org", PASSWORD)
    assert e.value.retry_after == 5 * 60 and "5 minutes" in str(e.value)
    clock.advance(timedelta(minutes=5))
    assert portal.sign_in(db_ctx, "ann@example.org", PASSWORD)["session_id"]


def test_issue14_a_success_clears_the_count_and_setting_a_password_ends_open_sessions(db_ctx):
    user_id = _customer_user(db_ctx)
    for _ in range(portal.LOCKOUT_FAILURES - 1):
        with pytest.raises(portal.SignInRefused):
            portal.sign_in(db_ctx, "ann@example.org", "wrong password!")
    session = portal.sign_in(db_ctx, "ann@example.org", PASSWORD)["session_id"]
    with pytest.raises(portal.SignInRefused) as e:
        portal.sign_in(db_ctx, "ann@example.org", "wrong password!")
    assert e.value.retry_after is None  # counting from zero again
    assert portal.set_password(db_ctx, SYSTEM, user_id, "ann@example.org", "a new password here")["sessions_ended"] == 1
    assert portal.signed_in(db_ctx, session) is None


def test_issue14_a_closed_login_ends_its_sessions_and_cannot_sign_in(db_ctx):
    user_id = _customer_user(db_ctx)
    session = portal.sign_in(db_ctx, "ann@example.org", PASSWORD)["session_id"]
    with db_ctx.uow() as uow:  # what erasure does to a person's logins (privacy/usecases/erasure.py)
        uow.subject_data.deactivate_users(uow.users.get(user_id).customer_id)
        uow.commit()
    assert portal.signed_in(db_ctx, session) is None
    with pytest.raises(portal.SignInRefused):
        portal.sign_in(db_ctx, "ann@example.org", PASSWORD)


def test_issue14_prv4_erasure_reaches_the_portal_sign_in_sessions_and_failures(db_ctx):
    """Erasure works through the person's portal rows too: the user name keyed-hashed, the password hash
    nulled, the session's keys keyed-hashed (it can never be used again) and their failed sign-ins' key."""
    from tests.integration.test_erasure import erasure_case, plan_and_apply, seed

    p = seed(db_ctx, "Pia", "PI19POR")
    portal.set_password(db_ctx, SYSTEM, p.user_id, "pia@example.org", PASSWORD)
    session = portal.sign_in(db_ctx, "pia@example.org", PASSWORD)["session_id"]
    with pytest.raises(portal.SignInRefused):
        portal.sign_in(db_ctx, "pia@example.org", "wrong password!")
    with db_ctx.uow.engine.connect() as conn:  # type: ignore[attr-defined]
        before = conn.execute(sa.select(web_sessions).where(web_sessions.c.user_id == p.user_id)).one()
    _plan, _done, d = plan_and_apply(db_ctx, erasure_case(db_ctx, p))
    changed = {(t, f.split(":")[0]) for (t, _k, f) in d.changed}
    assert {("users", "login"), ("users", "password_hash"), ("web_sign_in_failures", "login_key")} <= changed
    with db_ctx.uow.engine.connect() as conn:  # type: ignore[attr-defined]
        after = conn.execute(sa.select(web_sessions).where(web_sessions.c.user_id == p.user_id)).one()
    assert after.id_hash != before.id_hash and after.csrf_token != before.csrf_token
    assert after.started_at == before.started_at  # when the person signed in is not personal beyond the link
    assert portal.signed_in(db_ctx, session) is None
    with pytest.raises(portal.SignInRefused):
        portal.sign_in(db_ctx, "pia@example.org", PASSWORD)
