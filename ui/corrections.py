"""Correcting the map: the correction dialog and the sidebar's history."""

from __future__ import annotations

import getpass

import streamlit as st

from geo import corrections, gazetteer, render
from geo.errors import GeoError
from geo.models import KINDS, Correction, Passage, Place
from geo.store import Store
from ui.common import HISTORY_SHOWN, get_gazetteer, select_place
from ui.events import EVENT_FIXES, event_correction_form, passage_events


def author() -> str:
    """Who makes corrections in this session (the name box under "Corrections")."""
    name = st.session_state.get("author", "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "local user"


def pick_place(prefix: str, name: str, current: Place | None) -> Place | None:
    """The right place for `name`: one of its gazetteer candidates (with why each lost), a
    gazetteer search, or a point typed in. None until the user has chosen.
    """
    gaz = get_gazetteer()
    alts = [a for a in corrections.alternatives(gaz.lookup(name), current) if not a.chosen]
    how = st.radio(
        "The right place",
        ["Pick from the candidates", "Search the gazetteer", "Enter a point by hand"],
        key=f"{prefix}_how",
        index=0 if alts else 1,
        horizontal=True,
    )
    if how == "Pick from the candidates":
        if not alts:
            st.info("The gazetteer knows no other place of this name: search, or enter a point.")
            return None
        pick = st.radio(
            "Other places called this (why the geoparser did not choose each)"
            if current is not None
            else "Places called this",
            range(len(alts)),
            format_func=lambda i: render.md_escape(alts[i].label()),
            key=f"{prefix}_alt",
        )
        return alts[pick].place if pick is not None else None
    if how == "Search the gazetteer":
        c1, c2, c3 = st.columns([3, 2, 2])
        typed = c1.text_input("Name starts with", value=name, key=f"{prefix}_q")
        names = gazetteer.country_names()
        cc = c2.selectbox(
            "Country",
            [None, *sorted(names, key=names.get)],
            format_func=lambda c: "any" if c is None else f"{names[c]} ({c})",
            key=f"{prefix}_cc",
        )
        kind = c3.selectbox(
            "Kind", [None, *KINDS], format_func=lambda k: k or "any", key=f"{prefix}_kind"
        )
        found = gaz.search(typed, country=cc, kind=kind) if typed.strip() else []
        if not found:
            st.caption("Nothing found: try fewer letters, another country, or enter a point.")
            return None
        opts = corrections.alternatives(found, None, limit=len(found))
        pick = st.radio(
            "Results",
            range(len(opts)),
            format_func=lambda i: render.md_escape(opts[i].label().split(" — ")[0]),
            key=f"{prefix}_found",
        )
        return opts[pick].place if pick is not None else None
    c1, c2 = st.columns(2)
    label = c1.text_input("Place name", value=name, key=f"{prefix}_name")
    kind = c2.selectbox("Kind", KINDS, index=KINDS.index("city"), key=f"{prefix}_pkind")
    c3, c4, c5 = st.columns(3)
    lat = c3.number_input("Latitude", -90.0, 90.0, value=None, format="%.5f", key=f"{prefix}_lat")
    lon = c4.number_input(
        "Longitude", -180.0, 180.0, value=None, format="%.5f", key=f"{prefix}_lon"
    )
    cc = c5.text_input("Country code (2 letters)", max_chars=2, key=f"{prefix}_pcc").upper()
    if lat is None or lon is None or not label.strip():
        st.caption("Give a name, a latitude and a longitude.")
        return None
    return Place(None, label.strip()[:120], kind, lat, lon, cc or None)


def scope_choice(prefix: str, name: str, source: str, mention: bool) -> str:
    labels = {
        "mention": "This mention only",
        "article": f"“{name}” everywhere in this article",
        "source": f"“{name}” in every article of {source}",
        "everywhere": f"“{name}” in every article, new ones too (a rule)",
    }
    options = list(labels) if mention else ["article", "source", "everywhere"]
    return st.radio(
        "Apply to",
        options,
        format_func=lambda k: render.md_escape(labels[k], 200),
        key=f"{prefix}_scope",
    )


def confirm_wide(store: Store, c: Correction, prefix: str) -> bool:
    """True when `c` may be saved: it changes at most corrections.MAX_UNCONFIRMED mentions,
    or the user ticked the box that says how many it changes.
    """
    if c.scope not in ("source", "everywhere") or not c.name.strip():
        return True
    n = store.correction_reach(c)
    if n <= corrections.MAX_UNCONFIRMED:
        return True
    return st.checkbox(
        f"Yes, change more than {corrections.MAX_UNCONFIRMED:,} mentions with this rule",
        key=f"{prefix}_wide",
        help="A rule over every article changes each place where these words occur.",
    )


def save_correction(store: Store, c: Correction, confirmed: bool = False) -> None:
    try:
        store.add_correction(c, confirmed=confirmed)
    except (ValueError, GeoError) as err:
        st.error(render.md_escape(err))
        return
    st.session_state["_toast"] = f"Saved: {c.describe()}"
    if c.place is not None:
        # The mention moved: the map goes to where it is now and the panel shows it there;
        # a place added from the reader keeps the reader open on its article.
        reading = st.session_state.get("reader")
        select_place(c.place)
        if c.action == "add" and reading:
            st.session_state["reader"] = reading
    st.rerun()


@st.dialog("Correct this mention", width="large")
def correct_dialog(store: Store, p: Passage, place: Place) -> None:
    name = p.article.text[p.start : p.end]
    st.html(
        f"<blockquote class='cm-quote'>{render.quote_html(p.article.text, p.start, p.end)}"
        "</blockquote>"
    )
    st.markdown(
        f"**{render.md_escape(name)}** is on the map as **{render.md_escape(place.name)}**"
        f" ({render.md_escape(place.kind)}, {render.md_escape(place.country_code or '—')})."
    )
    if p.correction_id is not None:
        st.caption("A user set this place. " + render.md_escape(p.correction_note or ""))
        if st.button("Undo that correction", key="dlg_undo"):
            store.undo_correction(p.correction_id)
            st.session_state["_toast"] = "Correction undone"
            st.rerun()
    elif p.reason:
        st.caption(f"The geoparser's reason: {render.md_escape(p.reason)}")
    evs = passage_events(store, p, store.revision())
    what = st.radio(
        "What is wrong?",
        ["Wrong place", "Not a place", *(EVENT_FIXES if evs else ())],
        key="dlg_what",
        horizontal=True,
    )
    if what in EVENT_FIXES:
        event_correction_form(store, evs, what, "dlg")
        return
    chosen = pick_place("dlg", name, place) if what == "Wrong place" else None
    scope = scope_choice("dlg", name, p.article.source, mention=True)
    note = st.text_input(
        "Your reason (optional, shown next to the geoparser's)", key="dlg_note", max_chars=500
    )
    c = Correction(
        "place" if what == "Wrong place" else "not_place",
        scope,
        name,
        chosen,
        p.article.id,
        p.article.source,
        p.start,
        p.end,
        note,
        author(),
        old_place=place.name,
    )
    sure = confirm_wide(store, c, "dlg")
    if st.button(
        "Save correction",
        type="primary",
        key="dlg_save",
        disabled=(what == "Wrong place" and chosen is None) or not sure,
    ):
        save_correction(store, c, confirmed=sure)


def corrections_box(store: Store) -> None:
    items = store.corrections()
    active = [c for c in items if not c.undone_at]
    with st.sidebar.expander(f"Corrections ({len(active):,} active)"):
        st.text_input("Your name (saved with your corrections)", key="author", placeholder=author())
        if not items:
            st.caption(
                "None yet: use “Correct…” under a passage, or “Add a missed place” in the reader."
            )
        orphans = {c.id for c in store.orphaned_corrections()}
        for c in items[:HISTORY_SHOWN]:
            state = (
                " · undone"
                if c.undone_at
                else " · ⚠️ matches nothing in its article now"
                if c.id in orphans
                else ""
            )
            note = f" — “{c.note}”" if c.note else ""
            st.markdown(
                render.md_escape(
                    f"{c.created_at[:16]} {c.author}: {c.describe()}{note}{state}", 400
                )
            )
            if not c.undone_at and st.button("Undo", key=f"undo_{c.id}", icon=":material/undo:"):
                store.undo_correction(c.id)
                st.session_state["_toast"] = f"Undone: {c.describe()}"
                st.rerun()
        if len(items) > HISTORY_SHOWN:
            st.caption(f"{len(items) - HISTORY_SHOWN:,} older: `python -m geo corrections list`")
