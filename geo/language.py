"""Article text -> language code, offline (py3langid's naive Bayes model over byte n-grams)."""

from __future__ import annotations

import logging
from functools import lru_cache

log = logging.getLogger(__name__)

UNDETERMINED = "und"
# Below this many letters the n-gram statistics say little ("Kyiv", "Hello world").
MIN_LETTERS = 20
# Probability (length-calibrated by py3langid) the best language needs; short English
# sentences score 0.4-0.9, real articles 0.95 and up. Below it the text is "und".
MIN_CONFIDENCE = 0.5
# The opening of a long text decides as well as the whole of it and costs far less.
SAMPLE_CHARS = 1500
# Names the detector and its settings: a language stored with another one is detected again.
DETECTOR = f"py3langid/letters{MIN_LETTERS}/p{MIN_CONFIDENCE}/chars{SAMPLE_CHARS}"


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(
        MODEL_FILE, norm_probs=True, min_confidence=MIN_CONFIDENCE
    )


def detect(text: str) -> str:
    """The text's language as an ISO 639-1 code ("en", "uk"), or "und" when unsure.

    "und" for texts with fewer than MIN_LETTERS letters, for low confidence, and for
    languages that have no two-letter code (py3langid also knows e.g. "pcm").
    """
    sample = text[:SAMPLE_CHARS]
    if not _has_letters(sample, MIN_LETTERS):
        return UNDETERMINED
    lang, confidence = _identifier().classify(sample)
    if len(lang) != 2 or not lang.isalpha():
        return UNDETERMINED
    log.debug("language %s (p=%.2f)", lang, confidence)
    return lang


def _has_letters(text: str, n: int) -> bool:
    """True when `text` holds at least `n` letters (stops counting there)."""
    for ch in text:
        if ch.isalpha():
            n -= 1
            if n <= 0:
                return True
    return False


@lru_cache(maxsize=256)
def language_name(code: str) -> str:
    """The English name of a language code ("uk" -> "Ukrainian"); the code itself when CLDR
    does not know it, "undetermined" for "und".
    """
    if code == UNDETERMINED:
        return "undetermined"
    from babel import Locale

    name = Locale("en").languages.get(code) if code and code.isalpha() else None
    return name or code
