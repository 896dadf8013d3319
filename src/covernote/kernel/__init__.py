"""Pure building blocks shared by every context: money, periods, calendar, clock, ids (stdlib only)."""
