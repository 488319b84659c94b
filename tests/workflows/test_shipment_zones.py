"""Carrier choice by the destination's zone, and the own vans' deliveries."""

from __future__ import annotations

from models.order import Address
from models.status import OrderStatus as S
from tests.workflows.conftest import make_order
from tests.workflows.fakes import FLEET
from tests.workflows.helpers import deliver, wait_for_status

# The fake warehouse WH-SH sits at 31.2, 121.5; the test order's address is 3 km away.
BEIJING = {"province": "Beijing", "city": "Beijing", "lat": 39.91, "lon": 116.46}


def far_away() -> dict[str, object]:
    address = make_order().shipping_address.model_dump()
    return Address.model_validate({**address, **BEIJING, "postal_code": "100022"}).model_dump()


async def test_a_same_city_parcel_goes_with_the_own_vans_and_joins_the_dispatch_plan(
    start_order, shop, packed
):
    shop.carriers.append(FLEET)
    async with start_order(make_order()) as handle:
        booked = await packed(handle)
        await deliver(handle, booked)
        await wait_for_status(handle, S.DELIVERED)
    parcel = booked.shipments[0]
    assert parcel.carrier == "FLEET"
    assert "same_city" in parcel.carrier_reason
    assert [(d.warehouse_id, d.city) for d in shop.deliveries] == [("WH-SH", "Shanghai")]


async def test_a_far_parcel_takes_the_cheapest_carrier_that_meets_the_zone_sla(
    start_order, shop, packed
):
    shop.carriers.append(FLEET)
    async with start_order(make_order(shipping_address=far_away())) as handle:
        booked = await packed(handle)
    parcel = booked.shipments[0]
    assert parcel.carrier == "ZTO"  # FLEET serves only its city; ZTO is cheaper than SF
    assert "national" in parcel.carrier_reason and shop.deliveries == []
