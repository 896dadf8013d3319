"""Complaints (CMP-1..5) and their letters (DOC-2): routing, the three clocks, the eight-week letter and the report."""
