"""MID updates, CUE reports and fraud checks, each call recorded as a disclosure."""
