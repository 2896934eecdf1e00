"""The Review tab: the places most worth a look, to confirm or fix with one click."""

from __future__ import annotations

import streamlit as st

from geo import corrections, gazetteer, render
from geo.errors import GeoError
from geo.gazetteer_build import build_in_background
from geo.models import Correction
from geo.store import Query, Store
from geo.store.review import DOUBTFUL, ReviewRow
from ui.common import get_gazetteer, plural, select_place
from ui.corrections import author

SHOWN = 12  # queue rows on the tab
ALTERNATIVES = 3  # other places offered per row


@st.cache_resource(show_spinner=False)
def _first_names() -> frozenset[str]:
    """Lower-case first names, English and Cyrillic: a place written like one is flagged."""
    from geo.lang import uk
    from geo.recognize import first_names

    return frozenset(n.lower() for n in first_names()) | uk.first_names()


@st.cache_data(show_spinner=False)
def review_rows(_store: Store, query: Query, version: int) -> list[ReviewRow]:
    gaz = get_gazetteer()
    return _store.review_queue(
        query, _first_names(), namesakes=lambda n: [c.population for c in gaz.lookup(n)]
    )


def review_label(store: Store, query: Query, version: int) -> str:
    """The tab's title: "Review (n)"."""
    if not gazetteer.index_ready():
        return "Review"
    n = len(review_rows(store, query, version))
    return f"Review ({n}{'+' if n >= 50 else ''})"


def review_tab(store: Store, query: Query, version: int) -> None:
    """The selection's doubtful places, most misplaced mentions first, each with why it is
    doubtful, how the geoparser chose it, and one-click Confirm, Show and Move buttons.
    """
    if not gazetteer.index_ready():
        _index_pending()
        return
    rows = review_rows(store, query, version)
    st.caption(
        "Places the geoparser may have got wrong, the ones whose mistake would misplace the"
        f" most mentions first. Hollow markers average a confidence under {DOUBTFUL:.1f}."
        " **Confirm** keeps a place off this list for good (new articles and upgrades"
        " too); **Move** sends every mention of the name to another place (a correction,"
        " undone from the sidebar's history)."
    )
    if not rows:
        st.info("Nothing to review in the selection: every place is sure or confirmed.")
    for i, r in enumerate(rows[:SHOWN]):
        _row(store, r, i)
    confirmed = store.confirmed_places()
    if confirmed:
        with st.expander(f"Confirmed places ({len(confirmed):,})"):
            for key, name in sorted(confirmed.items(), key=lambda kv: kv[1]):
                c1, c2 = st.columns([4, 1])
                c1.write(render.md_escape(name))
                if c2.button("Unconfirm", key=f"unconfirm_{key}", type="tertiary"):
                    store.unconfirm_place(key)
                    st.rerun()


def _row(store: Store, r: ReviewRow, i: int) -> None:
    p = r.place
    country = gazetteer.country_names().get(p.country_code or "", p.country_code or "")
    where = f", {country}" if country and p.kind != "country" else ""
    with st.container(border=True, key=f"review_row_{i}"):
        st.markdown(
            f"**{render.md_escape(p.name)}**{render.md_escape(where)} · "
            f"{render.md_escape(render.kind_name(p.kind))} · {plural(r.mentions, 'mention')}"
            f" · confidence {r.confidence:.2f}"
        )
        written = ", ".join(f"“{render.md_escape(n, 60)}”" for n in r.names)
        why = "; ".join(r.why) or "several uncertain mentions"
        st.caption(
            f"Written {written}. Worth a look: {render.md_escape(why)}. "
            f"The geoparser: {render.md_escape(r.reason or 'no reason kept', 200)}."
        )
        c1, c2, *more = st.columns([1, 1, 3])
        if c1.button("Confirm", key=f"confirm_{p.key}", icon=":material/check:"):
            store.confirm_place(p, author())
            st.session_state["_toast"] = f"Confirmed {p.name}: it leaves the review list"
            st.rerun()
        if c2.button("Show", key=f"show_review_{p.key}", icon=":material/location_on:"):
            select_place(p)
            st.rerun()
        name = r.names[0]
        alts = [
            a for a in corrections.alternatives(get_gazetteer().lookup(name), p) if not a.chosen
        ][:ALTERNATIVES]
        for k, alt in enumerate(alts):
            if more[0].button(
                f"Move every “{render.md_escape(name, 40)}” to {render.md_escape(alt.label(), 120)}",
                key=f"move_{p.key}_{k}",
                type="tertiary",
                icon=":material/move_location:",
            ):
                _move(store, r, alt.place)


def _move(store: Store, r: ReviewRow, place) -> None:
    """One correction per written form of the place: every mention of it goes to `place`."""
    try:
        for name in r.names:
            store.add_correction(
                Correction(
                    action="place",
                    scope="everywhere",
                    name=name,
                    place=place,
                    note="from the review list",
                    author=author(),
                    old_place=r.place.name,
                ),
                confirmed=True,  # the button says what it moves
            )
    except (ValueError, GeoError) as err:
        st.error(render.md_escape(err))
        return
    st.session_state["_toast"] = f"Moved “{r.names[0]}” to {place.name}"
    select_place(place)
    st.rerun()


@st.cache_resource(show_spinner=False)
def _background_build():
    return build_in_background()


@st.fragment(run_every=2)
def _index_pending() -> None:
    """On a first start: the review needs the gazetteer index, which is built once, in a
    process of its own, started a moment after the first page is drawn (so that the map does
    not wait for it); the page is drawn again when it is ready.
    """
    if gazetteer.index_ready():
        st.rerun()
    ticks = st.session_state["_index_ticks"] = st.session_state.get("_index_ticks", 0) + 1
    if ticks > 1:  # the first tick of the timer: the page is drawn by now
        proc = _background_build()
        if proc is not None and proc.exitcode not in (None, 0):
            st.error("The gazetteer index could not be built; see the server's log.")
            return
    st.info(
        "Building the gazetteer index (once, about 10 s): the places worth a look appear "
        "here when it is ready."
    )
