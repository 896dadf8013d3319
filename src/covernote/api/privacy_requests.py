"""REST resources: Data subject requests, access packages, portability, erasure, restriction (PRV-3, PRV-4)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["privacy"])
