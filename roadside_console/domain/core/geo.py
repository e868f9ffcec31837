"""Great-circle distance and drive-time estimates (the offline distance/ETA port)."""

from __future__ import annotations

import math

EARTH_RADIUS_MILES = 3958.8
METRES_PER_MILE = 1609.344
AVERAGE_SPEED_MPH = 35


def great_circle_miles(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Haversine distance in miles between two points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = math.radians(lat2 - lat1)
    dlmb = math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(a))


def eta_minutes(miles: float) -> int:
    """Minutes to arrive at the average urban speed, at least one."""
    return max(1, round(miles / AVERAGE_SPEED_MPH * 60))
