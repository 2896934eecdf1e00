"""The current selection as CSV and GeoJSON, for analysts who continue in a spreadsheet or GIS."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable
from functools import lru_cache
from typing import IO

from geo import eventstyle
from geo.models import EventRow, Passage, Place, PlaceCount
from geo.passages import quote

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """A spreadsheet-safe cell: text that would start a formula is prefixed with a quote.

    Numbers are written as they are, so a longitude of -98.5 stays a number; only text
    (article titles, sources, names) is guarded.
    """
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _write(header: list[str], rows: list[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def places_csv(counts: list[PlaceCount]) -> str:
    """One row per place: name, kind, country, point, mentions, articles, GeoNames id."""
    return _write(
        ["place", "kind", "country", "lat", "lon", "mentions", "articles", "geonameid"],
        [
            [c.place.name, c.place.kind, c.place.country_code, c.place.lat, c.place.lon,
             c.mentions, c.articles, c.place.geonameid]
            for c in counts
        ],
    )  # fmt: skip


def _passage_text(r: Passage) -> str:
    return _quote_text(r.article.text, r.start, r.end)


# The app builds the CSV and the GeoJSON of the same passages on every rerun; finding a
# quote's sentence scans its article, so each quote is found once.
@lru_cache(maxsize=1024)  # two panels of 500; holds at most 1,024 texts
def _quote_text(text: str, start: int, end: int) -> str:
    q = quote(text, start, end)
    return (q.before + q.hit + q.after).replace("\n", " ")


PASSAGE_COLUMNS = [
    "place", "country", "lat", "lon", "published", "source", "title", "url", "passage", "start",
    "end", "mention_type", "reason", "corrected", "geoparser_place",
]  # fmt: skip


def _passage_row(place: Place, r: Passage) -> list[object]:
    a = r.article
    return [
        place.name, place.country_code, place.lat, place.lon,
        a.published.isoformat() if a.published else "", a.source, a.title, a.url or "",
        _passage_text(r), r.start, r.end, r.mention_type, r.reason, _correction(r),
        r.geoparser_place or "",
    ]  # fmt: skip


def write_passages_csv(place: Place, rows: Iterable[Passage], out: IO[str]) -> None:
    """Write one CSV row per passage to `out` as the rows come (any number of them): the
    place with its country and point, date, source, title, url, the quote, offsets, reason.
    """
    writer = csv.writer(out)
    writer.writerow(PASSAGE_COLUMNS)
    for r in rows:
        writer.writerow([_cell(v) for v in _passage_row(place, r)])


def passages_csv(place: Place, rows: Iterable[Passage]) -> str:
    """write_passages_csv into a string."""
    out = io.StringIO()
    write_passages_csv(place, rows, out)
    return out.getvalue()


def _correction(r: Passage) -> str:
    """ "" for the geoparser's own choice; else "by a user" and the user's reason."""
    if r.correction_id is None:
        return ""
    return "by a user" + (f": {r.correction_note}" if r.correction_note else "")


def _point(place: Place) -> dict | None:
    """A GeoJSON Point ([lon, lat], RFC 7946 order), or None for a place with no finite point."""
    if not (math.isfinite(place.lat) and math.isfinite(place.lon)):
        return None
    return {"type": "Point", "coordinates": [place.lon, place.lat]}


def _collection(features: list[dict]) -> str:
    # json.dumps escapes quotes, backslashes and control characters in untrusted text, so any
    # article string round-trips; non-ASCII letters stay readable (the file is UTF-8).
    return json.dumps(
        {"type": "FeatureCollection", "features": features}, ensure_ascii=False, allow_nan=False
    )


def places_geojson(counts: list[PlaceCount]) -> str:
    """A FeatureCollection with one Point per place (name, kind, country, mentions, articles, key).

    Countries and continents are points too (the gazetteer's point for them).
    """
    return _collection(
        [
            {
                "type": "Feature",
                "geometry": _point(c.place),
                "properties": {
                    "name": c.place.name,
                    "kind": c.place.kind,
                    "country": c.place.country_code,
                    "mentions": c.mentions,
                    "articles": c.articles,
                    "key": c.place.key,
                    "geonameid": c.place.geonameid,
                },
            }
            for c in counts
        ]
    )


def _passage_feature(place: Place, geometry: dict | None, r: Passage) -> dict:
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {
            "place": place.name,
            "key": place.key,
            "country": place.country_code,
            "passage": _passage_text(r),
            "title": r.article.title,
            "published": r.article.published.isoformat() if r.article.published else None,
            "source": r.article.source,
            "url": r.article.url,
            "start": r.start,
            "end": r.end,
            "mention_type": r.mention_type,
            "corrected": _correction(r) or None,
            "geoparser_place": r.geoparser_place,
        },
    }


def write_passages_geojson(place: Place, rows: Iterable[Passage], out: IO[str]) -> None:
    """Write a FeatureCollection with one Point (at `place`) per passage to `out`, feature by
    feature (any number of them).

    Properties: place name, key and country, the quote, article title, date (ISO or null),
    source, url (or null), offsets and mention type.
    """
    geometry = _point(place)
    out.write('{"type": "FeatureCollection", "features": [')
    for i, r in enumerate(rows):
        if i:
            out.write(", ")
        # json.dumps escapes quotes, backslashes and control characters in untrusted text.
        out.write(json.dumps(_passage_feature(place, geometry, r), ensure_ascii=False,
                             allow_nan=False))  # fmt: skip
    out.write("]}")


def passages_geojson(place: Place, rows: Iterable[Passage]) -> str:
    """write_passages_geojson into a string."""
    out = io.StringIO()
    write_passages_geojson(place, rows, out)
    return out.getvalue()


# Events (geo.events, stored per article): one row or feature per event of the selection.
EVENT_COLUMNS = [
    "published", "type", "type_label", "status", "place", "lat", "lon", "country", "place_basis",
    "actor", "target", "confidence", "claimed_by", "source", "title", "url", "trigger", "quote",
    "corrected", "geoparser_type",
]  # fmt: skip


def _event_quote(e: EventRow) -> str:
    return e.article.text[e.passage_start : e.passage_end].replace("\n", " ").strip()


def _event_correction(e: EventRow) -> str:
    if e.correction_id is None:
        return ""
    return "by a user" + (f": {e.correction_note}" if e.correction_note else "")


def _event_values(e: EventRow) -> dict:
    a, p = e.article, e.place
    return {
        "published": a.published.isoformat() if a.published else None,
        "type": e.type,
        "type_label": eventstyle.label(e.type),
        "status": e.status,
        "place": p.name if p else None,
        "lat": p.lat if p else None,
        "lon": p.lon if p else None,
        "country": p.country_code if p else None,
        "place_basis": e.place_basis or None,
        "actor": e.actor or None,
        "target": e.target or None,
        "confidence": round(e.confidence, 3),
        "claimed_by": e.source or None,
        "source": a.source,
        "title": a.title,
        "url": a.url,
        "trigger": a.text[e.start : e.end],
        "quote": _event_quote(e),
        "corrected": _event_correction(e) or None,
        "geoparser_type": e.geoparser_type,
    }


def events_csv(rows: list[EventRow]) -> str:
    """One row per event: date, type (and its label), status, place and point, actor,
    target, confidence, who claims it, the article's source, title and url, the trigger
    word, the quote (the sentence that says it) and any user correction.
    """
    return _write(EVENT_COLUMNS, [[_event_values(e)[c] for c in EVENT_COLUMNS] for e in rows])


def events_geojson(rows: list[EventRow]) -> str:
    """A FeatureCollection with one Point per event at its place (null geometry when the
    text names no place for it); properties as the columns of `events_csv`, plus the
    place's key and the event's id.
    """
    features = []
    for e in rows:
        props = _event_values(e)
        props.pop("lat")
        props.pop("lon")
        props |= {"key": e.place.key if e.place else None, "event_id": e.id}
        features.append(
            {
                "type": "Feature",
                "geometry": _point(e.place) if e.place else None,
                "properties": props,
            }
        )
    return _collection(features)
