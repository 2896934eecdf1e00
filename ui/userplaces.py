"""The sidebar's "Your own places": the user's gazetteer CSV files, added and removed."""

from __future__ import annotations

import streamlit as st

from geo import render, usergazetteer
from geo.errors import GeoError
from geo.store import Store
from ui.common import get_gazetteer, get_geoparser, show_messages

EXAMPLE = (
    "name,aliases,lat,lon,kind,country,parent\n"
    "Azovstal,Azovstal plant|Azovstal iron and steel works,47.0986,37.6097,facility,UA,Mariupol\n"
)


def user_places(store: Store) -> None:
    """Upload a CSV of places (they win over GeoNames), list and remove the files; the
    articles naming an added or removed place are geoparsed again at once.
    """
    sb = st.sidebar
    files = usergazetteer.default_files()
    # A toggle, not an expander: the uploader is on the page only while it is wanted (the
    # sidebar's "Add articles" stays the page's one file box otherwise).
    if not sb.toggle(
        f"Your own places ({len(files)} file{'' if len(files) == 1 else 's'})",
        key="user_places_open",
        help="Add places the gazetteer lacks (facilities, villages, new districts).",
    ):
        show_messages(sb, "_user_places_messages", 600)
        return
    with sb.container(border=True):
        st.caption(
            "A CSV with the columns name, aliases (separated by |), lat, lon, kind, country,"
            " parent: facilities, villages and units the gazetteer lacks. Your places win over"
            " GeoNames' places of the same name."
        )
        st.download_button(
            "Example file",
            EXAMPLE,
            "my_places.csv",
            "text/csv",
            key="user_places_example",
            on_click="ignore",
        )
        up = st.file_uploader(
            "Add a places file",
            type=["csv"],
            key=f"user_places_{st.session_state.get('_user_places_round', 0)}",
        )
        show_messages(st, "_user_places_messages", 600)
        if up is not None:
            try:
                path, places = usergazetteer.save_file(up.name, up.getvalue())
            except GeoError as err:
                messages = [("error", str(err))]
            else:
                n = store.mark_for_reparse(usergazetteer.names_of(places))
                messages = [
                    (
                        "success",
                        f"{path.name}: {len(places):,} place{'' if len(places) == 1 else 's'}"
                        f"; {n:,} article{'' if n == 1 else 's'} naming them geoparsed again",
                    )
                ]
                _reload()
            st.session_state["_user_places_messages"] = messages
            st.session_state["_user_places_round"] = (
                st.session_state.get("_user_places_round", 0) + 1
            )
            st.rerun()
        for path in files:
            c1, c2 = st.columns([3, 1])
            c1.caption(render.md_escape(path.name, 80))
            if c2.button("Remove", key=f"user_places_rm_{path.name}", type="tertiary"):
                try:
                    names = usergazetteer.names_of(usergazetteer.read_files([path]))
                except GeoError:
                    names = []
                path.unlink(missing_ok=True)
                n = store.mark_for_reparse(names)
                st.session_state["_user_places_messages"] = [
                    ("success", f"Removed {path.name}; {n:,} articles geoparsed again")
                ]
                _reload()
                st.rerun()


def _reload() -> None:
    """The next run loads the geoparser with the new places and parses the stale articles."""
    get_geoparser.clear()
    get_gazetteer.clear()
    st.session_state.pop("_ingested", None)
