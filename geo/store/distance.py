"""Distances on a sphere: the haversine formula and a box around a circle."""

from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.0088  # the mean radius (PostGIS measures on the same sphere)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


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
