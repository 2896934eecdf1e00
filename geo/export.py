"""The current selection as CSV, for analysts who continue in a spreadsheet."""

from __future__ import annotations

import csv
import io

from geo.models import Passage, PlaceCount
from geo.passages import quote

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """A spreadsheet-safe cell: text that would start a formula is prefixed with a quote."""
    text = "" if value is None else str(value)
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


def passages_csv(place_name: str, rows: list[Passage]) -> str:
    """One row per passage: place, date, source, title, url, the quote, offsets, reason."""
    out = []
    for r in rows:
        q = quote(r.article.text, r.start, r.end)
        a = r.article
        out.append(
            [place_name, a.published.isoformat() if a.published else "", a.source, a.title,
             a.url or "", (q.before + q.hit + q.after).replace("\n", " "), r.start, r.end,
             r.mention_type, r.reason]
        )  # fmt: skip
    return _write(
        ["place", "published", "source", "title", "url", "passage", "start", "end",
         "mention_type", "reason"],
        out,
    )  # fmt: skip
