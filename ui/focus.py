"""The sidebar's "Corpus focus": the countries the articles are about, set by the user."""

from __future__ import annotations

import streamlit as st

from geo import gazetteer
from geo.focus import focus_from_counts, refocus
from geo.store import Store
from ui.common import get_gazetteer, show_messages


def _label(code: str) -> str:
    return f"{gazetteer.country_names().get(code, code)} ({code})"


def focus_box(store: Store) -> None:
    """Show the corpus focus and let the user set it; the stored articles whose place names
    the change may read differently are geoparsed again at once (with progress)."""
    sb = st.sidebar
    current = store.focus()
    names = ", ".join(gazetteer.country_names().get(c, c) for c in current) or "none"
    if not sb.toggle(
        f"Corpus focus: {names}",
        key="focus_open",
        help="The countries these articles are about: a small prior for ambiguous names.",
    ):
        show_messages(sb, "_focus_messages", 400)
        return
    with sb.container(border=True):
        counts = store.country_mentions()  # one query for the suggestion and the order
        suggested = focus_from_counts(counts)
        st.caption(
            "An ambiguous name (Odessa, Paris, Vladimir) is read in these countries unless its"
            " article places it elsewhere. Suggested by the stored places: "
            + (", ".join(_label(c) for c in suggested) or "none")
            + "."
        )
        options = sorted(
            set(gazetteer.country_names()) | set(counts) | set(current),
            key=lambda c: (-counts.get(c, 0), _label(c)),
        )
        chosen = st.multiselect(
            "Focus countries",
            options,
            default=[c for c in current if c in options],
            format_func=_label,
            key="focus_countries",
            placeholder="No focus",
        )
        c1, c2 = st.columns(2)
        apply = c1.button("Apply", key="focus_apply", type="primary")
        if c2.button(
            "Suggested",
            key="focus_suggest",
            disabled=not suggested,
            help="Use the countries the stored places suggest",
        ):
            _apply(store, dict(suggested))
        elif apply:
            _apply(store, {c: 1.0 for c in chosen})
        show_messages(st, "_focus_messages", 400)


def _apply(store: Store, focus: dict[str, float]) -> None:
    n = refocus(store, get_gazetteer().lookup, focus)
    shown = ", ".join(gazetteer.country_names().get(c, c) for c in focus) or "none"
    st.session_state["_focus_messages"] = [
        (
            "success",
            f"Corpus focus: {shown}. {n:,} article{'' if n == 1 else 's'} whose place names"
            " it may read differently geoparsed again.",
        )
    ]
    st.session_state.pop("focus_countries", None)  # the box shows the stored focus
    if n:
        st.session_state.pop("_ingested", None)  # the next run parses the stale articles
    st.rerun()
