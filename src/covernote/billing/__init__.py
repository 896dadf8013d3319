"""Billing (issue 15): payment plans and premium finance, direct debit through Bacs, the continuous payment
authority's notices, returned collections, arrears and lapse, commission (PAY-1..3, PAY-6, PAY-7, FEE-2)."""
