"""Stock by warehouse for one SKU (the same rows as `starter.py inventory --sku`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from sqlalchemy import select

from activities.db import reading
from activities.ledger import list_inventory
from activities.tables import Product
from api.errors import ERROR_RESPONSES, ApiError
from api.schemas import ErrorBody, InventoryRow
from api.state import GatewayDep

router = APIRouter(tags=["inventory"])


@router.get(
    "/inventory/{sku}",
    response_model=list[InventoryRow],
    responses={404: {"model": ErrorBody, "description": "no such SKU"}, **ERROR_RESPONSES},
    summary="Stock of one SKU in every warehouse",
)
def get_inventory(
    sku: Annotated[str, Path(min_length=1, max_length=64)], gateway: GatewayDep
) -> list[InventoryRow]:
    # A plain `def`: FastAPI runs it in its thread pool, so the database never blocks the loop.
    with reading(gateway.engine) as connection:
        known = connection.execute(select(Product.sku).where(Product.sku == sku)).first()
    if known is None:
        raise ApiError(404, f"sku: unknown SKU {sku}", field="sku")
    return [InventoryRow.model_validate(row) for row in list_inventory(gateway.engine, sku=sku)]
