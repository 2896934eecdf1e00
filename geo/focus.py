"""Corpus focus: the countries a corpus is about, as a prior for its ambiguous names.

A corpus's own geography (where most of its confident mentions lie) settles close calls:
in a corpus about Ukraine a bare "Odessa" is Odesa unless the article places it elsewhere.
`focus_from_mentions` summarises a corpus's mentions into the weights that
`Resolver.focus` takes; `parse_corpus` geoparses a batch of articles twice over one spaCy
pass, the second time with the focus the first one found.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping

from geo.models import Article, Mention

FOCUS_MIN_CONFIDENCE = 0.8  # only mentions this sure of their place describe the corpus
FOCUS_MIN_SHARE = 0.1  # a country needs this share of those mentions to be a focus
FOCUS_TOP = 5


def focus_from_counts(counts: Mapping[str, float]) -> dict[str, float]:
    """Country code -> focus weight (0-1] from mention counts per country.

    The weight is the country's share of the counts relative to the largest one; countries
    under FOCUS_MIN_SHARE of all mentions are left out, and at most FOCUS_TOP are kept.
    Empty when there is nothing to go by.
    """
    total = sum(v for v in counts.values() if v > 0)
    if total <= 0:
        return {}
    top = sorted(((v, k) for k, v in counts.items() if k and v > 0), reverse=True)[:FOCUS_TOP]
    best = top[0][0]
    return {k: round(v / best, 3) for v, k in top if v / total >= FOCUS_MIN_SHARE}


def focus_from_mentions(mentions: Iterable[Mention]) -> dict[str, float]:
    """The corpus focus from its mentions: countries of the confident place names.

    Demonyms and country names count as their country; only mentions at least
    FOCUS_MIN_CONFIDENCE sure are used, so that the prior is built from unambiguous places.
    """
    counts: dict[str, float] = {}
    for m in mentions:
        p = m.place
        if p is None or not p.country_code:
            continue
        if m.confidence is None or m.confidence < FOCUS_MIN_CONFIDENCE:
            continue
        counts[p.country_code] = counts.get(p.country_code, 0.0) + 1.0
    return focus_from_counts(counts)


def parse_focus(text: str | None) -> dict[str, float]:
    """ "UA,RU" or "UA:1,RU:0.5" -> {"UA": 1.0, "RU": 0.5}; empty for None or ""."""
    out: dict[str, float] = {}
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        code, _, weight = part.partition(":")
        code = code.strip().upper()
        if len(code) != 2 or not code.isalpha():
            raise ValueError(f"not a two-letter country code: {code!r}")
        w = float(weight) if weight else 1.0
        if not 0.0 <= w <= 1.0:
            raise ValueError(f"focus weight must lie between 0 and 1: {part!r}")
        out[code] = w
    return out


def parse_corpus(
    geoparser,
    articles: Iterable[Article],
    focus: Mapping[str, float] | str | None = "auto",
    on_focus: Callable[[dict[str, float]], None] | None = None,
) -> Iterator[tuple[Article, list[Mention]]]:
    """Geoparse a corpus with a focus: "auto" (found from the corpus itself), a mapping
    (given), or None/{} (no focus). With "auto" the articles are recognised once, resolved
    without focus to find it, then resolved again with it (spaCy runs once; the spans of
    every article are kept in memory, so give it a batch, not an archive). `on_focus` is
    told the focus used.
    """
    from geo import budget
    from geo.geoparser import spacy_text

    resolver = geoparser.resolver
    if focus != "auto":
        saved, resolver.focus = resolver.focus, dict(focus or {})
        if on_focus is not None:
            on_focus(dict(resolver.focus))
        try:
            yield from geoparser.parse_many(articles)
        finally:
            resolver.focus = saved
        return
    saved = resolver.focus
    batch: list[tuple[Article, list]] = []
    first: list[Mention] = []
    try:
        resolver.focus = {}
        # The same guarded text and per-language recogniser as every other path.
        pairs = ((spacy_text(a), a) for a in articles)
        for doc, art, _reason in budget.pipe(geoparser.nlp, pairs, 16):
            spans = [] if doc is None else geoparser._recognise(art, doc)
            batch.append((art, spans))
            first.extend(resolver.resolve(art, spans))
        resolver.focus = focus_from_mentions(first)
        if on_focus is not None:
            on_focus(dict(resolver.focus))
        for art, spans in batch:
            yield art, resolver.resolve(art, spans)
    finally:
        resolver.focus = saved


def suggested_focus(store) -> dict[str, float]:
    """The focus the stored corpus itself suggests: its countries by mentions (see
    `focus_from_counts`)."""
    return focus_from_counts(store.country_mentions())


def focus_change(old: Mapping[str, float], new: Mapping[str, float]) -> tuple[set[str], set[str]]:
    """(countries whose focus weight grows, countries whose weight shrinks) from old to new."""
    grew = {cc for cc in new if new[cc] > old.get(cc, 0.0)}
    shrank = {cc for cc in old if old[cc] > new.get(cc, 0.0)}
    return grew, shrank


def names_the_focus_may_change(
    names: Mapping[str, set[str]], lookup: Callable[[str], list], grew: set[str], shrank: set[str]
) -> list[str]:
    """The written names whose reading a change of focus can alter. `names` maps each name
    to the countries it is read in now. A focus only tips the balance between candidates in
    different countries: a name can move to another candidate (not a whole country) in a
    country whose weight `grew`, or away from a country whose weight `shrank` when it has a
    candidate elsewhere.
    """
    out = []
    for name, now in names.items():
        cands = [c.place for c in lookup(name) if c.place.kind != "country"]
        if len(cands) < 2:
            continue
        elsewhere = {c.country_code or "" for c in cands} - now
        if elsewhere & grew or (now & shrank and elsewhere):
            out.append(name)
    return out


def refocus(store, lookup: Callable[[str], list], focus: Mapping[str, float]) -> int:
    """Make `focus` the store's corpus focus and mark for parsing again the articles whose
    place names it may read differently; returns how many articles (0 when it did not change).
    The next ingest into the store (app start, `geo ingest`) parses them.
    """
    grew, shrank = focus_change(store.focus(), focus)
    if not grew and not shrank:
        return 0
    names = names_the_focus_may_change(store.mention_names(), lookup, grew, shrank)
    store.set_focus(focus)
    return store.mark_names_for_reparse(names)
