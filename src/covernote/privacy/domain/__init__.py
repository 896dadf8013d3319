"""Privacy rules: consent, request cases and their clocks, what erasure may erase. Pure."""
