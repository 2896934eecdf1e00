"""The `geo geoparse --format jsonl` contract: an article's toponyms and events as JSON
objects, and back (the precomputed sample is written and read in this format).
"""

from __future__ import annotations

from dataclasses import replace

from geo.events import Event
from geo.models import Article, Mention, Place


def toponym_json(m: Mention) -> dict:
    """One toponym in the `geo geoparse --format jsonl` contract."""
    p = m.place
    return {
        "start": m.start,
        "end": m.end,
        "name": m.text,
        "lat": p.lat if p else None,
        "lon": p.lon if p else None,
        "country": p.country_code if p else None,
        "kind": p.kind if p else None,
        "geonameid": p.geonameid if p else None,
        "place": p.name if p else None,
        "mention_type": m.mention_type,
        "reason": m.reason,
        # how sure the resolver is (geo.confidence); None when unresolved
        "confidence": None if m.confidence is None else round(m.confidence, 3),
    }


def article_json(
    article: Article, mentions: list[Mention], events: list[Event] | None = None
) -> dict:
    """One article in the contract format; with `events`, their `event_json` too."""
    rec = {
        "id": article.id,
        "title": article.title,
        "published": article.published.isoformat() if article.published else None,
        "url": article.url,
        "toponyms": [toponym_json(m) for m in mentions],
    }
    if events is not None:
        rec["events"] = [event_json(e, mentions) for e in events]
    return rec


def event_json(event: Event, mentions: list[Mention]) -> dict:
    """One event as `geo events` writes it (Event.to_json), with its passage's offsets and
    its place mention's (`place_start`/`place_end`, None when it has none).
    """
    k = event.place_index
    m = mentions[k] if k is not None and 0 <= k < len(mentions) else None
    return event.to_json() | {
        "confidence": event.confidence,  # unrounded: read back, it equals the parse's
        "passage_start": event.passage_start,
        "passage_end": event.passage_end,
        "place_start": m.start if m else None,
        "place_end": m.end if m else None,
    }


def event_from_json(d: dict, mentions: list[Mention]) -> Event:
    """Inverse of event_json over the same article's mentions."""
    at = {(m.start, m.end): k for k, m in enumerate(mentions)}
    k = at.get((d.get("place_start"), d.get("place_end")))
    place = d.get("place") or None
    return Event(
        type=d["type"], start=d["start"], end=d["end"], trigger=d["trigger"],
        passage_start=d["passage_start"], passage_end=d["passage_end"],
        place=place["name"] if place else None, place_index=k,
        place_basis=place.get("basis", "") if place else "",
        resolved=mentions[k].place if k is not None else None,
        actor=d.get("actor"), target=d.get("target"), status=d["status"],
        source=d.get("source") or "", confidence=d["confidence"],
    )  # fmt: skip


def reindex_events(events: list[Event], before: list, after: list[Mention]) -> list[Event]:
    """Events whose place_index indexes `before` (recognised spans), made to index the
    resolved `after` (matched by offsets).
    """
    at = {(m.start, m.end): k for k, m in enumerate(after)}
    out = []
    for e in events:
        if e.place_index is not None:
            m = before[e.place_index]
            k = at.get((m.start, m.end))
            e = replace(e, place_index=k, resolved=after[k].place if k is not None else None)
        out.append(e)
    return out


def mention_from_json(article_id: str, t: dict) -> Mention:
    place = None
    if t.get("lat") is not None:
        place = Place(t["geonameid"], t["place"], t["kind"], t["lat"], t["lon"], t["country"])
    conf = t.get("confidence")
    return Mention(
        article_id,
        t["start"],
        t["end"],
        t["name"],
        t["mention_type"],
        place,
        t.get("reason", ""),
        float(conf) if isinstance(conf, (int, float)) and place is not None else None,
    )
