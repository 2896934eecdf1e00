"""Russian text -> place-name spans: natasha's news NER (slovnet, weights in the wheel) for
where the names are, the gazetteer through case endings and pymorphy2 for what they name."""

from __future__ import annotations

import logging
import re

from geo.gazetteer import Gazetteer
from geo.lang.cyrillic import UNIT_NOUNS, Lexicon, is_cyrillic, words
from geo.recognize import Span

log = logging.getLogger(__name__)

NER_PLACE = "LOC"
# Organisations the news NER calls places: the EU and its bodies, the Kremlin.
ORGANISATIONS = re.compile(
    r"^(?:ЕС|ЄС|Е[вв]росоюз\w*|Євросоюз\w*|Европейск\w+ [Сс]оюз\w*|Європейськ\w+ [Сс]оюз\w*"
    r"|Еврокомисси\w*|Єврокомісі\w*|Кремл\w*)$"
)


class NewsNER:
    """natasha's Russian news NER: (start, end, type) for PER, LOC and ORG spans."""

    def __init__(self) -> None:
        from natasha import NewsEmbedding, NewsNERTagger, Segmenter

        self.segmenter = Segmenter()
        self.tagger = NewsNERTagger(NewsEmbedding())

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        from natasha import Doc

        doc = Doc(text)
        doc.segment(self.segmenter)
        doc.tag_ner(self.tagger)
        return [(s.start, s.stop, s.type) for s in doc.spans]


def resolve_name(lexicon: Lexicon, text: str, romanise: bool = True):
    """(candidates, kind hint) for a name: a unit phrase, a name, or (with `romanise`) its
    romanisation matched against the gazetteer's Latin names."""
    parts = text.split()
    if len(parts) >= 2 and parts[-1].lower().rstrip(".") in UNIT_NOUNS:
        cands, _ = lexicon.unit(" ".join(parts[:-1]), parts[-1])
        if cands:
            return cands, "admin" if cands[0].place.kind != "city" else ""
    cands, _ = lexicon.name(text)
    if not cands and romanise and len(parts) <= 3:
        cands = lexicon.romanised(text)
    return cands, ""


class RussianRecognizer:
    """Recognises place names in Russian text; returns the English recogniser's Spans."""

    lang = "ru"

    def __init__(self, gazetteer: Gazetteer, ner: NewsNER | None = None) -> None:
        self.gazetteer = gazetteer
        self.ner = ner or NewsNER()
        self.lexicon = Lexicon(gazetteer, self.lang)

    def recognize(self, text: str) -> list[Span]:
        """Place-name spans, character offsets into `text`."""
        out = []
        ner = self.ner.spans(text)
        for start, end, kind in ner:
            if kind != NER_PLACE:
                continue
            name = text[start:end]
            if ORGANISATIONS.match(name):
                continue
            cands, hint = resolve_name(self.lexicon, name)
            out.append(
                Span(
                    start,
                    end,
                    name,
                    "name",
                    "LOC",
                    tuple(cands),
                    context_after=text[end : end + 60],
                    kind_hint=hint,
                )
            )
        out.extend(self._countries_missed(text, ner))
        return sorted(out, key=lambda sp: sp.start)

    def _countries_missed(self, text: str, ner: list[tuple[int, int, str]]) -> list[Span]:
        """Countries and continents the NER left out ("Европы", "Намибия"): a capitalised
        word outside every entity whose nominative names one."""
        covered = [(s, e) for s, e, _ in ner]
        out = []
        for w in words(text):
            if not (w.capitalised and is_cyrillic(w.text)) or len(w.text) < 4:
                continue
            if any(s < w.end and w.start < e for s, e in covered):
                continue
            cands, _ = self.lexicon.name(w.text)
            if cands and cands[0].place.kind in {"country", "continent"}:
                out.append(
                    Span(
                        w.start,
                        w.end,
                        w.text,
                        "name",
                        "LOC",
                        tuple(cands),
                        text[w.end : w.end + 60],
                    )
                )
        return out
