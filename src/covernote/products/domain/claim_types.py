"""The types a claim is recorded with (NCD-2): the vocabulary the product files' NCD rules and every claim use. Pure."""

from __future__ import annotations

# The claim types a claim or incident is recorded with, and how each reads in an explanation.
CLAIM_TYPES: dict[str, str] = {
    "accident": "accident",
    "theft": "theft",
    "fire": "fire",
    "vandalism": "vandalism",
    "malicious_damage": "malicious damage",  # S1 names it with theft and vandalism (crime reference, CLM-1)
    "windscreen_or_glass": "windscreen, windows or glass sunroof",
    "glass_roof_panel": "glass roof panel",
    "legal_expenses_uninsured_loss": "legal expenses uninsured-loss assistance",
    "breakdown": "breakdown assistance",
    "key_cover": "key cover assistance",
    "other": "other",
}


DEFAULT_CLAIM_TYPE = "other"


def is_claim_type(value: str) -> bool:
    return value in CLAIM_TYPES
