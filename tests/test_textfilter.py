"""The "Text contains" filter is bounded: in the app, and again in the store."""

import pytest

from geo import render, textfilter
from geo.store import Query
from geo.textfilter import MAX_TERM_CHARS, MAX_TERMS


def two_letter_terms(n: int) -> str:
    return ", ".join(f"{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}" for i in range(n))


def test_parse_keeps_the_first_terms_and_lists_the_rest():
    terms = textfilter.parse(two_letter_terms(900))
    assert len(terms.used) == MAX_TERMS
    assert terms.used[:2] == ("aa", "ba")
    assert len(terms.ignored) == 676 - MAX_TERMS  # duplicates count once
    assert "at most 20" in terms.message() and "“ua”" in terms.message()
    assert "more" in terms.message()


def test_parse_ignores_overlong_terms():
    long = "x" * (MAX_TERM_CHARS + 1)
    terms = textfilter.parse(f"grain, {long}, shelling")
    assert terms.used == ("grain", "shelling")
    assert terms.ignored == (long,)
    assert terms.text == "grain, shelling"
    assert textfilter.parse(" grain ,, ").used == ("grain",)
    assert textfilter.parse("").message() == ""


@pytest.mark.parametrize(
    "text", [two_letter_terms(998), two_letter_terms(21), "y" * 101], ids=["998", "21", "long"]
)
def test_store_refuses_an_unbounded_filter(tmp_store, text):
    with pytest.raises(ValueError, match="at most"):
        tmp_store.place_counts(Query(text=text))


def test_store_takes_the_bounded_filter(tmp_store):
    assert tmp_store.place_counts(Query(text=two_letter_terms(MAX_TERMS))) == []


def test_marking_uses_the_bounded_terms():
    assert render.search_terms(two_letter_terms(998)) == list(
        textfilter.parse(two_letter_terms(998)).used
    )


def test_app_bounds_the_filter_and_says_so(tmp_path, monkeypatch, gazetteer):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from .test_app import APP

    monkeypatch.setenv("CONFLICT_MAP_DB", str(tmp_path / "empty.sqlite"))
    monkeypatch.setenv("CONFLICT_MAP_GAZETTEER", str(gazetteer.path))
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["_ingested"] = True  # an empty database: no sample to read first
    at.query_params["q"] = two_letter_terms(998)
    at.run()
    assert not at.exception, at.exception
    warnings = "\n".join(w.value for w in at.sidebar.warning)
    assert "at most 20" in warnings and "ignored" in warnings
    assert at.query_params["q"] == textfilter.parse(two_letter_terms(998)).text
