"""How common an English word is (wordfreq's Zipf scale): common words are seldom places."""

from __future__ import annotations

from functools import lru_cache

# A capitalised word that is also a common English word ("Police", "Union", "Set") is a place
# only with NER support or when the place is large; Zipf frequency from wordfreq.
COMMON_WORD_ZIPF = 4.3
# A word this familiar ("Mars", "Venus") naming only villages needs the article's backing.
FAMILIAR_WORD_ZIPF = 3.5


@lru_cache(maxsize=100_000)
def _rare(word: str) -> bool:
    """A word English text almost never uses (Zipf < 1.5): no first name, no common noun."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word.lower(), "en") < 1.5


@lru_cache(maxsize=100_000)
def _seldom_word(word: str) -> bool:
    """A word English text seldom uses (Zipf < 2.5): most surnames, few team names."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word.lower(), "en") < 2.5


@lru_cache(maxsize=100_000)
def _familiar_word(word: str) -> bool:
    from wordfreq import zipf_frequency

    return zipf_frequency(word.lower(), "en") >= FAMILIAR_WORD_ZIPF


@lru_cache(maxsize=100_000)
def _common_word(word: str) -> bool:
    from wordfreq import zipf_frequency

    return zipf_frequency(word.lower(), "en") >= COMMON_WORD_ZIPF
