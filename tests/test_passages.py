import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.passages import quote, sentence_bounds

TEXT = (
    "Russia and Ukraine will meet. The talks are in Istanbul from Monday, officials said. "
    "Mr. Smith met the U.S. envoy in Kyiv. Nothing else happened."
)


def test_quote_is_the_sentence_with_the_name_highlighted():
    start = TEXT.index("Istanbul")
    q = quote(TEXT, start, start + len("Istanbul"))
    assert q.hit == "Istanbul"
    assert "The talks are in " in q.before
    assert q.after.startswith(" from Monday, officials said.")


def test_abbreviations_do_not_end_sentences():
    start = TEXT.index("Kyiv")
    s, e = sentence_bounds(TEXT, start, start + 4)
    assert TEXT[s:e] == "Mr. Smith met the U.S. envoy in Kyiv."


def test_long_sentences_are_cut_around_the_name():
    text = "word " * 500 + "Mariupol " + "word " * 500
    start = text.index("Mariupol")
    q = quote(text, start, start + 8)
    assert q.cut_before and q.cut_after
    assert len(q.before) < 400 and len(q.after) < 400


def test_bad_offsets_raise():
    with pytest.raises(ValueError):
        quote("abc", 2, 10)


@given(st.text(min_size=1, max_size=300), st.data())
def test_quote_round_trips_offsets(text, data):
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    q = quote(text, start, end)
    assert q.hit == text[start:end]
    assert (q.before + q.hit + q.after) in text
