"""Identity's rules that need no I/O: when a run of failed sign-ins stops the next try (SEC-1).

One rule for both limits that exist: the API's per-address limit on failed authentications
(api/security.py) and the portal's per-account lock-out (identity/usecases/web.py)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def retry_after(failed_at: Sequence[float], failures: int, window_seconds: float, now: float) -> int | None:
    """Seconds until another try is allowed after the failures at `failed_at` (seconds, oldest first), or None
    if it is allowed now: `failures` of them within `window_seconds` stop further tries until the oldest of the
    last `failures` is a window old. At least 1 when tries are stopped."""
    if failures <= 0 or len(failed_at) < failures:
        return None
    wait = failed_at[-failures] + window_seconds - now
    if wait <= 0:
        return None
    return max(1, math.ceil(wait))
