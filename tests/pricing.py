"""The demo price list as a lookup, for tests of code that prices: the figures those tests
assert (e.g. Business Standard at 1416p flexible, 1180p annual) are the demo seed's."""

from __future__ import annotations

from licence_manager.domain.prices import PriceLookup, lookup_from
from licence_manager_local.demo_prices import demo_prices

DEMO_PRICE_OF: PriceLookup = lookup_from(demo_prices())
