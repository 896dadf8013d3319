"""REST resources: Encrypted sensitive fields and key rotation (PRV-7, PRV-11)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["privacy"])
