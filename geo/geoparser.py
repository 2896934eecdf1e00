"""The geoparser: spaCy and the gazetteer recognise an article's places, the resolver places
them, and geo.events reads the events from the same parse.

Its version (GEOPARSER_VERSION) is stored with each article: articles parsed by another
version are parsed again.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from geo import budget
from geo.errors import BudgetError
from geo.events import Event, events_in_doc
from geo.gazetteer import Gazetteer
from geo.lang import LANGUAGES, Recognisers
from geo.models import Article, Mention
from geo.paths import PROJECT_ROOT
from geo.recognize import Span, load_model, recognize
from geo.resolve import Resolver
from geo.textguard import guard

if TYPE_CHECKING:
    from spacy.language import Language

# Bump on every change to recognition, resolution or gazetteer data: stored articles parsed by
# another version are re-parsed, so improvements reach the map.
GEOPARSER_VERSION = "2026.12.07-7"

# Articles in these languages are geoparsed: English (and "und", too short to tell) by spaCy,
# the others by their recogniser in geo/lang/.
GEOPARSED_LANGUAGES = {"en", "und"} | LANGUAGES
# Events (geo.events) are read from English text only: its rules and classifier are English.
EVENT_LANGUAGES = frozenset({"en", "und"})

Progress = Callable[[int, int], None]


def geocoders_from_env(gazetteer: Gazetteer) -> list:
    """The offline gazetteer, then the online service named by $CONFLICT_MAP_ONLINE, if any.

    $CONFLICT_MAP_ONLINE is "nominatim" or "photon" (unset: offline only);
    $CONFLICT_MAP_ONLINE_DOMAIN and $CONFLICT_MAP_ONLINE_SCHEME point it at another server.
    Answers are cached in data/geocode_cache.sqlite ($CONFLICT_MAP_GEOCODE_CACHE).
    """
    from geo.online import CachedOnlineGeocoder, GeocodeCache
    from geo.resolve import GazetteerGeocoder

    chain = [GazetteerGeocoder(gazetteer)]
    provider = os.environ.get("CONFLICT_MAP_ONLINE", "").strip().lower()
    if provider:
        cache = GeocodeCache(
            Path(
                os.environ.get("CONFLICT_MAP_GEOCODE_CACHE")
                or PROJECT_ROOT / "data" / "geocode_cache.sqlite"
            )
        )
        chain.append(
            CachedOnlineGeocoder(
                provider,
                cache,
                domain=os.environ.get("CONFLICT_MAP_ONLINE_DOMAIN") or None,
                scheme=os.environ.get("CONFLICT_MAP_ONLINE_SCHEME") or None,
            )
        )
    return chain


class Geoparser:
    """spaCy + gazetteer recogniser and context resolver, loaded once and reused."""

    version = GEOPARSER_VERSION

    def __init__(
        self,
        gazetteer: Gazetteer | None = None,
        nlp=None,
        resolver: Resolver | None = None,
        on_progress: Progress | None = None,
    ) -> None:
        self.gazetteer = gazetteer or Gazetteer.open_or_build(on_progress=on_progress)
        self._nlp = nlp
        self.resolver = resolver or Resolver(self.gazetteer, geocoders_from_env(self.gazetteer))
        self.languages = Recognisers(self.gazetteer)  # loads a language's models on first use

    @property
    def nlp(self) -> Language:
        """The spaCy pipeline, loaded on first use (a parallel ingest loads it in its workers)."""
        if self._nlp is None:
            self._nlp = load_model()
        return self._nlp

    def parse(self, article: Article) -> list[Mention]:
        """Every place mention in the article, resolved where possible.

        Raises BudgetError when the text is mostly symbols or its parse runs over budget.
        """
        ((art, mentions, reason),) = self.parse_guarded([article], 1)
        if reason:
            raise BudgetError(f"{article.id}: {reason}")
        return mentions

    def parse_many(
        self, articles: Iterable[Article], batch_size: int = 16
    ) -> Iterator[tuple[Article, list[Mention]]]:
        """Parse a stream of articles with spaCy's batched pipe (faster than one by one).

        An article the guard refuses or that runs over its budget has no mentions.
        """
        for art, mentions, _ in self.parse_guarded(articles, batch_size):
            yield art, mentions

    def parse_guarded(
        self, articles: Iterable[Article], batch_size: int = 16
    ) -> Iterator[tuple[Article, list[Mention], str]]:
        """(article, mentions, "") per article, or (article, [], reason) when its text is
        refused or its parse runs over budget (see `geo.budget.pipe`)."""
        pairs = ((spacy_text(a), a) for a in articles)
        for doc, art, reason in budget.pipe(self.nlp, pairs, batch_size):
            yield art, [] if doc is None else self._resolve(art, doc), reason

    def parse_full(
        self, articles: Iterable[Article], batch_size: int = 16
    ) -> Iterator[tuple[Article, list[Mention], list[Event], str]]:
        """As parse_guarded, with each article's events (geo.events) read from the same parse;
        their place_index indexes the article's mentions. None for an article in a language
        another recogniser reads (no event model there) or whose text is refused.
        """
        pairs = ((spacy_text(a), a) for a in articles)
        for doc, art, reason in budget.pipe(self.nlp, pairs, batch_size):
            mentions = [] if doc is None else self._resolve(art, doc)
            yield art, mentions, self._events(art, doc, mentions), reason

    def _resolve(self, article: Article, doc) -> list[Mention]:
        return self.resolver.resolve(article, self._recognise(article, doc))

    def _events(self, article: Article, doc, mentions: list[Mention]) -> list[Event]:
        """The events of an English article's Doc, placed at `mentions`; none otherwise."""
        if doc is None or article.language not in EVENT_LANGUAGES or not len(doc):
            return []
        return events_in_doc(doc, mentions, article.published)

    def _recognise(self, article: Article, doc) -> list[Span]:
        """The article's place spans: by its language's recogniser, else from the spaCy doc."""
        if article.language in LANGUAGES:
            # The same guarded, same-length copy of the text that spaCy would read.
            checked = guard(article.text)
            if checked.refused:
                return []
            return self.languages.recognize(checked.text, article.language)
        return recognize(doc, self.gazetteer)


def spacy_text(article: Article) -> str:
    """What spaCy parses of an article: nothing when another recogniser reads its language."""
    return "" if article.language in LANGUAGES else article.text
