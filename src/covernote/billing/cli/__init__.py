"""Billing's commands, one module per area (plans, direct_debit, arrears, notices), under `covernote billing`."""
