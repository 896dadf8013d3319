"""Billing rules and values: pure, no I/O, no clock (now comes in)."""
