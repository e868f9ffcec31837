import pytest

from tests.pricing.conftest import PricingWorld, add_pricing_world


@pytest.fixture()
def world(session) -> PricingWorld:
    """A tenant priced like the demo, where business accounts get their contract prices."""
    return add_pricing_world(session)
