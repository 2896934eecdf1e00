"""Recognisers for languages other than English, picked by the article's language.

Each returns the English recogniser's `Span`s (character offsets into the original text,
candidates from the shared gazetteer), so that resolution, passages, corrections and exports
treat every language alike. Models load on first use: an ingest of English articles never
loads natasha or simplemma.
"""

from __future__ import annotations

import threading

from geo.gazetteer import Gazetteer
from geo.recognize import Span

LANGUAGES = frozenset({"ru", "uk"})


def handles(lang: str | None) -> bool:
    """True when `lang` has a recogniser here (not English: that is geo.recognize)."""
    return lang in LANGUAGES


class Recognisers:
    """The recognisers of one gazetteer, each made when an article first needs it."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self._made: dict[str, object] = {}
        self._ner = None
        self._lock = threading.Lock()

    def _news_ner(self):
        from geo.lang.ru import NewsNER

        if self._ner is None:
            self._ner = NewsNER()
        return self._ner

    def get(self, lang: str):
        """The recogniser for `lang` (loaded now if need be); KeyError for other languages."""
        with self._lock:
            if lang not in self._made:
                if lang == "ru":
                    from geo.lang.ru import RussianRecognizer

                    self._made[lang] = RussianRecognizer(self.gazetteer, self._news_ner())
                elif lang == "uk":
                    from geo.lang.uk import UkrainianRecognizer

                    self._made[lang] = UkrainianRecognizer(self.gazetteer, self._news_ner())
                else:
                    raise KeyError(lang)
            return self._made[lang]

    def recognize(self, text: str, lang: str) -> list[Span]:
        """Place-name spans of a text in `lang` (one of LANGUAGES)."""
        return self.get(lang).recognize(text)
