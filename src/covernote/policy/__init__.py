"""Policies (POL-1..6): customers, quotes, binding, mid-term adjustments, renewals, cancellation and voidance, with explainable rating."""
