"""Distances on a sphere for the store's queries: the great-circle distance
(`geo.great_circle`) and a box around a circle."""

from __future__ import annotations

import math

from geo.great_circle import EARTH_RADIUS_KM, haversine_km

__all__ = ["EARTH_RADIUS_KM", "box_around", "haversine_km"]


def box_around(lat: float, lon: float, km: float) -> tuple[float, float, float, float]:
    """(south, west, north, east) of a box holding every point within `km` of (lat, lon)."""
    dlat = math.degrees(km / EARTH_RADIUS_KM)
    south, north = max(-90.0, lat - dlat), min(90.0, lat + dlat)
    if south <= -90 or north >= 90 or km >= math.pi * EARTH_RADIUS_KM / 2:
        return south, -180.0, north, 180.0  # a pole is inside: every longitude
    # The widest longitude span is at the box's latitude farthest from the equator.
    dlon = math.degrees(
        math.asin(min(1.0, math.sin(km / EARTH_RADIUS_KM) / math.cos(math.radians(lat))))
    )
    if dlon >= 180:
        return south, -180.0, north, 180.0
    west, east = lon - dlon, lon + dlon
    if west < -180:
        west += 360
    if east > 180:
        east -= 360
    return south, west, north, east
