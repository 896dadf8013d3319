"""Billing's REST routers, one module per area (plans, direct_debit, arrears, notices), each included by api/app.py."""
