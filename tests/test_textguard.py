"""The text guard: same-length copies, bounded runs and tokens, linear tokenizer time."""

from __future__ import annotations

import json
import random
import string
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.textguard import (
    KEPT_OF_RUN,
    MAX_SYMBOL_RUN,
    MAX_TOKEN_CHARS,
    MOSTLY_SYMBOLS,
    alnum_share,
    guard,
)

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"
PROSE = "Russian forces shelled Kharkiv and Izium on Monday, officials in Kyiv said. " * 600
SOUP = string.punctuation + "ab \n"


def _longest(text: str, symbol: bool) -> int:
    best = run = 0
    for ch in text:
        inside = (
            (not ch.isalnum() or ch == "_") and not ch.isspace() if symbol else not ch.isspace()
        )
        run = run + 1 if inside else 0
        best = max(best, run)
    return best


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(SOUP + "é’—\t"), max_size=3000))
def test_the_copy_keeps_offsets_and_bounds_runs_and_tokens(text):
    g = guard(text)
    if g.refused:
        assert g.refused == MOSTLY_SYMBOLS and g.text == "" and alnum_share(text) < 0.5
        return
    assert len(g.text) == len(text)
    assert all(a == b or a == " " for a, b in zip(g.text, text, strict=True))
    assert _longest(g.text, symbol=True) <= MAX_SYMBOL_RUN
    assert _longest(g.text, symbol=False) <= MAX_TOKEN_CHARS
    assert g.changed == sum(a != b for a, b in zip(g.text, text, strict=True))


def test_prose_of_the_sample_is_handed_over_unchanged():
    texts = [
        json.loads(line)["text"]
        for path in SAMPLE.glob("*.jsonl")
        for line in path.read_text("utf-8").splitlines()
        if line.strip()
    ]
    assert len(texts) > 1000
    assert [t[:40] for t in texts if guard(t).text != t] == []


def test_a_long_run_keeps_its_head_and_the_rest_becomes_spaces():
    words = "Officials in Kyiv and Lviv said so on Monday morning. " * 2
    g = guard(words + "=" * 50 + words)
    assert g.text == words + "=" * KEPT_OF_RUN + " " * (50 - KEPT_OF_RUN) + words
    assert g.changed == 50 - KEPT_OF_RUN


@pytest.mark.parametrize("char", ["<", "(", "=", "*", '"'])
def test_ten_thousand_of_one_symbol_is_refused(char):
    assert guard(char * 10_000).refused == MOSTLY_SYMBOLS


def test_mostly_symbols_is_refused():
    assert guard("<" * 20_000).refused == MOSTLY_SYMBOLS
    assert guard("Kyiv " + "(" * 100).refused == MOSTLY_SYMBOLS
    assert not guard("Kyiv — a city (the capital) of Ukraine!").refused


def _hostile() -> dict[str, object]:
    """name -> f(n): a text with n hostile characters in it."""
    cases: dict[str, object] = {
        f"run of {c!r}": (lambda n, c=c: PROSE[:n] + c * n + PROSE[:n]) for c in string.punctuation
    }
    rnd = random.Random(7)
    soup = "".join(rnd.choice(SOUP) for _ in range(200_000))
    cases["symbol soup in prose"] = lambda n: PROSE[:n] + soup[:n] + PROSE[:n]
    cases["one token a<a<"] = lambda n: "a<" * (n // 2)
    cases["one token of letters"] = lambda n: "a" * n
    cases["spaced marks"] = lambda n: PROSE[:n] + "< " * (n // 2) + PROSE[:n]
    return cases


def _tokenizer_seconds(nlp, text: str) -> float:
    t = time.perf_counter()
    g = guard(text)
    if not g.refused:
        nlp.tokenizer(g.text)
    return time.perf_counter() - t


def test_hostile_texts_take_linear_time_per_character(nlp):
    """The tokenizer is what is quadratic in hostile text (the later stages are linear in
    tokens): 8 times the characters may take at most about 8 times as long."""
    small, big = 5_000, 40_000
    slow = {}
    for name, make in _hostile().items():
        # A pair over the bound is timed again (twice at most) before it counts: one pause of
        # the machine (the other test worker, a collection) is not the text's doing, while a
        # quadratic text is slow every time. Each try starts with another letter, so that the
        # tokenizer's cache of the first try cannot speed up the next.
        for attempt in "abc":
            t_small = _tokenizer_seconds(nlp, attempt + make(small))
            t_big = _tokenizer_seconds(nlp, attempt + make(big))
            # Quadratic would be 64 times (minutes for 40,000 "<"); the slack absorbs timer
            # noise and the tokenizer's cache on a busy machine.
            if t_big <= 8 * 2 * t_small + 0.25:
                slow.pop(name, None)
                break
            slow[name] = (round(t_small, 4), round(t_big, 4))
    assert slow == {}


def test_a_megabyte_single_token_is_not_parsed_token_by_token(nlp):
    t = time.perf_counter()
    doc = nlp(guard("a<" * 500_000).text)
    assert time.perf_counter() - t < 30 and len(doc) <= 2
    assert pytest.approx(alnum_share("a<" * 10)) == 0.5
