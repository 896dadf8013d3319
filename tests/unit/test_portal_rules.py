"""Issue 14 (SEC-1): the one rule for when failed sign-ins stop the next try, shared by the API's per-address
limit (api/security.py) and the portal's per-user-name lock-out (identity/usecases/web.py)."""

from __future__ import annotations

from covernote.identity.domain import retry_after


def test_issue14_fewer_failures_than_the_limit_never_stop_a_try() -> None:
    assert retry_after([0.0, 1.0, 2.0, 3.0], 5, 900, 4.0) is None
    assert retry_after([], 5, 900, 0.0) is None


def test_issue14_the_limit_stops_tries_until_the_oldest_of_the_last_failures_is_a_window_old() -> None:
    failed = [0.0, 10.0, 20.0, 30.0, 40.0, 50.0]  # six: the last five began at 10
    assert retry_after(failed, 5, 900, 50.0) == 860
    assert retry_after(failed, 5, 900, 909.5) == 1  # never 0 while stopped
    assert retry_after(failed, 5, 900, 910.0) is None


def test_issue14_no_limit_when_failures_is_zero() -> None:
    assert retry_after([0.0] * 10, 0, 900, 1.0) is None
