"""What every panel shares: cached store queries, the URL state, the selected place."""

from __future__ import annotations

import io
import tempfile
import uuid
from datetime import date

import streamlit as st

from geo import export, gazetteer, mapview, render
from geo.events import EVENT_TYPES, STATUSES
from geo.models import KINDS, Place
from geo.pipeline import (
    Geoparser,
    db_path,
)
from geo.store import Query, Store

# The server is multi-threaded, and forking worker processes from it could copy a lock that
# another thread holds; the app geoparses in its own process (the CLI uses every core).
APP_WORKERS = 1


FEED_INTERVAL_S = 15 * 60  # how often a feed watched from the app is due for a poll


PAGE = 20  # passages per page of the panel


HISTORY_SHOWN = 30  # corrections listed in the sidebar


@st.cache_resource(show_spinner="Opening the database (an older one is upgraded once)…")
def get_store() -> Store:
    return Store(db_path())


@st.cache_resource(show_spinner="Loading the geoparser (spaCy model and gazetteer)…")
def get_geoparser() -> Geoparser:
    return Geoparser()


@st.cache_resource(show_spinner="Opening the gazetteer…")
def get_gazetteer() -> gazetteer.Gazetteer:
    return gazetteer.Gazetteer.open_or_build()


@st.cache_data(show_spinner=False)
def place_counts(_store: Store, query: Query, version: int):
    return _store.place_counts(query)


@st.cache_data(show_spinner=False)
def doubtful_places(_store: Store, query: Query, version: int) -> dict[str, float]:
    """Place key -> mean confidence of the selection's doubtful places (drawn hollow)."""
    return _store.doubtful_places(query)


@st.cache_data(show_spinner=False)
def place_passages(_store: Store, key: str, query: Query, version: int):
    return _store.passages(key, query)


def passage_file(store: Store, key: str, query: Query, fmt: str):
    """A function that writes every passage of the place in the selection as CSV or GeoJSON
    into a temporary file and returns its bytes: the download button calls it on a click,
    and the passages are read from the store a batch at a time.
    """

    def make():
        place = store.place(key)
        out = tempfile.TemporaryFile()
        text = io.TextIOWrapper(out, encoding="utf-8", newline="")
        write = export.write_passages_csv if fmt == "csv" else export.write_passages_geojson
        write(place, store.iter_passages(key, query), text)
        text.flush()
        text.detach()
        out.seek(0)
        with out:  # Streamlit serves bytes (it reads any file whole anyway)
            return out.read()

    return make


@st.cache_data(show_spinner=False)
def together(_store: Store, key: str, query: Query, version: int):
    """The places named most often in the same passages and articles as this one."""
    return _store.mentioned_together(key, query, limit=8)


@st.cache_data(show_spinner=False)
def nearby(_store: Store, key: str, query: Query, version: int, km: float):
    """The selection's other places within `km` of this one, nearest first."""
    return _store.places_near(key, km, query)


@st.cache_data(show_spinner=False)
def story_copies(_store: Store, article_ids: tuple[str, ...], version: int):
    """article id -> (source, url, title) of the other outlets that published the same story."""
    return {aid: _store.also_published(aid) for aid in article_ids}


@st.cache_data(show_spinner=False)
def place_summary(_store: Store, key: str, query: Query, version: int):
    """(passages, articles, per-day mentions) of one place in the selection."""
    return (*_store.count_passages(key, query), _store.timeline(key, query))


def parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def init_state_from_url(store: Store, bounds: tuple[date, date] | None) -> None:
    """Read filters from the URL once per session, so a copied link reopens the same view.

    Without dates in the URL the range is the store's core span: where the articles cluster.
    """
    if st.session_state.get("_url_loaded"):
        return
    qp = st.query_params
    if bounds:
        core = store.core_dates()
        start = parse_date(qp.get("from")) or (core or bounds)[0]
        end = parse_date(qp.get("to")) or (core or bounds)[1]
        start = min(max(start, bounds[0]), bounds[1])
        end = max(min(end, bounds[1]), start)
        st.session_state["dates"] = (start, end)
    st.session_state["undated"] = qp.get("undated", "1") != "0"
    st.session_state["sources"] = [s for s in qp.get_all("source") if s]
    st.session_state["kinds"] = [k for k in qp.get_all("kind") if k in KINDS]
    st.session_state["countries"] = [c for c in qp.get_all("country") if c]
    st.session_state["text"] = qp.get("q", "")
    st.session_state["demonyms"] = qp.get("demonyms") == "1"
    st.session_state["hide_doubtful"] = qp.get("sure") == "1"
    st.session_state["event_types"] = [t for t in qp.get_all("event") if t in EVENT_TYPES]
    statuses = [s for s in STATUSES if s in qp.get_all("status")]
    st.session_state["event_statuses"] = statuses or ["reported"]
    st.session_state["selected_place"] = qp.get("place") or None
    st.session_state["_url_loaded"] = True


def write_url(query: Query, selected: str | None) -> None:
    params: dict[str, str | list[str]] = {}
    if query.start:
        params["from"] = query.start.isoformat()
    if query.end:
        params["to"] = query.end.isoformat()
    if not query.include_undated:
        params["undated"] = "0"
    if query.sources:
        params["source"] = list(query.sources)
    if query.kinds:
        params["kind"] = list(query.kinds)
    if query.countries:
        params["country"] = list(query.countries)
    if query.text:
        params["q"] = query.text
    if query.include_demonyms:
        params["demonyms"] = "1"
    if query.hide_doubtful:
        params["sure"] = "1"
    if query.event_types:
        params["event"] = list(query.event_types)
    if tuple(query.event_statuses) != ("reported",):
        params["status"] = list(query.event_statuses)
    if selected:
        params["place"] = selected
    wanted = {k: [v] if isinstance(v, str) else v for k, v in params.items()}
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    if current != wanted:
        st.query_params.from_dict(params)


def select_place(place: Place, centre: bool = True) -> None:
    """Select a place (panel), close the reader and, with `centre`, move the map to it.

    With `centre` the page also scrolls back to the map (see `reveal`): the selection came
    from elsewhere (the find box, a table row, a link, a correction).
    """
    st.session_state["selected_place"] = place.key
    st.session_state.pop("reader", None)
    if centre:
        zoom = 4 if place.kind in ("country", "continent", "region", "water") else 7
        st.session_state["map_command"] = mapview.ViewCommand(
            uuid.uuid4().hex, (place.lat, place.lon), zoom
        )
        reveal()


def show_article_places(aid: str | None, read: bool = False) -> None:
    """Show one article's places (None: every article's) and frame them on the map.

    With `read` the panel shows the article itself. The map frames the new selection on
    the next run (ui/map.py) and the page scrolls back to it.
    """
    if aid is None:
        st.session_state.pop("article_filter", None)
    else:
        st.session_state["article_filter"] = aid
    if read and aid is not None:
        st.session_state["reader"] = aid
    st.session_state["_frame_selection"] = True
    reveal()


def reveal() -> None:
    """Scroll the page back to the map and the panel at the end of the next run."""
    st.session_state["_reveal"] = uuid.uuid4().hex


# Runs in a frame of its own (same origin as the page); scrolls Streamlit's main box to
# the top, where the map and the panel are. The id makes each request a new frame.
_REVEAL_HTML = """<script id="{id}">
(function() {{
  var doc = window.parent.document;
  [doc.querySelector("[data-testid='stMain']"), doc.scrollingElement].forEach(function(el) {{
    if (el && el.scrollTop > 0) {{ el.scrollTo({{top: 0, behavior: "smooth"}}); }}
  }});
}})();
</script>"""


def reveal_if_asked() -> None:
    """The end of a run: do what `reveal` asked for (a frame of zero height, at the bottom)."""
    token = st.session_state.pop("_reveal", None)
    if token:
        import streamlit.components.v1 as components

        components.html(_REVEAL_HTML.format(id=token), height=0)


def show_messages(where, key: str, limit: int = 500) -> None:
    """Show, once, the (level, text) messages an earlier run left under `key` in the session
    ("success", "error", ...), as literal text on `where` (st or st.sidebar)."""
    for level, msg in st.session_state.pop(key, []):
        getattr(where, level)(render.md_escape(msg, limit))


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"
