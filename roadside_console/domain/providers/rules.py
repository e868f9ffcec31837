"""Pure provider rules: what a GPS fix may contain, how often it is kept, what an offer shows."""

from __future__ import annotations

import math
from datetime import timedelta

from roadside_console.domain.core.errors import ValidationFailed
from roadside_console.domain.pricing.rules import validate_coordinates

# A phone may post every second; the trail keeps one point per this interval per provider.
POINT_INTERVAL = timedelta(seconds=5)
MAX_ACCURACY_M = 100_000.0


def validate_fix(
    lat: float | None, lng: float | None, accuracy_m: float | None, heading_deg: float | None
) -> None:
    """Refuse a fix without a position, outside the globe, or with impossible readings."""
    if lat is None or lng is None:
        raise ValidationFailed(
            "invalid_coordinates",
            "Give both latitude and longitude.",
            field="lat" if lat is None else "lng",
        )
    validate_coordinates(lat, lng)
    if accuracy_m is not None and not (
        math.isfinite(accuracy_m) and 0 <= accuracy_m <= MAX_ACCURACY_M
    ):
        raise ValidationFailed(
            "invalid_accuracy",
            f"Accuracy is a distance in metres between 0 and {MAX_ACCURACY_M:,.0f}.",
            field="accuracy_m",
        )
    if heading_deg is not None and not (math.isfinite(heading_deg) and 0 <= heading_deg < 360):
        raise ValidationFailed(
            "invalid_heading",
            "Heading is in degrees from north, at least 0 and below 360.",
            field="heading_deg",
        )


def pickup_area(address: str) -> str:
    """Return the part of an address an offer may show: the place, without the street.

    "265 Park Ave W NW, Atlanta, GA 30313" becomes "Atlanta, GA 30313". An address without a
    comma cannot be split safely, so it shows nothing (the offer still gives the distance).
    """
    parts = [part.strip() for part in (address or "").split(",") if part.strip()]
    return ", ".join(parts[1:])
