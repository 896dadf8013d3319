"""REST resources: the products on sale and their definitions (PRD-1)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query

from covernote.identity.api import Caller, Ctx
from covernote.products import usecases as products

router = APIRouter()
Json = dict[str, Any]


@router.get("/products", tags=["products"])
def list_products(ctx: Ctx, _: Caller, on: date | None = Query(None, description="Products on sale on this date")) -> list[Json]:
    return products.list_products(ctx, on)


@router.get("/products/{code}", tags=["products"])
def get_product(ctx: Ctx, _: Caller, code: str, on: date | None = None) -> Json:
    return products.get_product(ctx, code, on)
