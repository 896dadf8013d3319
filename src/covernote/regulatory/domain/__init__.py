"""The MID and fraud-check rules. Pure."""
