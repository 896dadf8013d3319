"""REST resources: the products on sale and their definitions (PRD-1)."""

from __future__ import annotations

from fastapi import APIRouter, Query

from covernote.identity.api import Caller, Ctx
from covernote.platform.api.routes import OneHopRoute
from covernote.platform.requests import Day
from covernote.products import usecases as products
from covernote.products.results import ProductView

router = APIRouter(route_class=OneHopRoute)

@router.get("/products", tags=["products"])
def list_products(ctx: Ctx, _: Caller, on: Day | None = Query(None, description="Products on sale on this date")) -> list[ProductView]:
    return products.list_products(ctx, on)


@router.get("/products/{code}", tags=["products"])
def get_product(ctx: Ctx, _: Caller, code: str, on: Day | None = None) -> ProductView:
    return products.get_product(ctx, code, on)
