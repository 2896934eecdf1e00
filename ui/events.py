"""What happened: the event filter, the map's event legend, event chips on passages, the
place's events timeline, the events table with its downloads, and event corrections.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import streamlit as st

from geo import eventstyle, export, mapview, render
from geo.events import EVENT_TYPES, STATUSES
from geo.models import Correction, EventRow, Passage
from geo.store import Query, Store
from ui.common import plural, select_place

DEFAULT_STATUSES = ("reported",)
TABLE_PAGE = 50


@st.cache_data(show_spinner=False)
def type_counts(_store: Store, query: Query, version: int) -> dict[str, int]:
    """Events per type in the selection, whatever types are picked (the multiselect's counts)."""
    return _store.event_type_counts(query)


@st.cache_data(show_spinner=False)
def dominant(_store: Store, query: Query, version: int) -> dict[str, tuple[str, int]]:
    """Place key -> (its most frequent event type in the selection, events): marker colours."""
    return _store.dominant_event_types(query)


@st.cache_data(show_spinner=False)
def event_page(
    _store: Store, query: Query, place_key: str | None, version: int, limit: int, offset: int
) -> tuple[int, list[EventRow]]:
    """(events in the selection [at the place], one page of them, newest first)."""
    return _store.count_events(query, place_key), _store.events(query, place_key, limit, offset)


@st.cache_data(show_spinner=False)
def article_events(_store: Store, article_id: str, version: int) -> list[EventRow]:
    """Every event of one article, whatever its status (chips on its passages)."""
    return _store.events_of(article_id)


@st.cache_data(show_spinner=False)
def place_event_timeline(_store: Store, key: str, query: Query, version: int):
    return _store.event_timeline(key, query)


# --- the sidebar's filter ---------------------------------------------------------------


def event_filter(store: Store, query: Query) -> Query:
    """ "What happened" (types, with their counts in the selection) and which statuses count.

    Draws into the current container (the sidebar's slot); returns `query` with the event
    types and statuses picked. Session keys: "event_types", "event_statuses".
    """
    counts = type_counts(store, replace(query, event_types=()), store.revision())
    held = [t for t in st.session_state.get("event_types", []) if t in EVENT_TYPES]
    st.session_state["event_types"] = held
    # Types found in the selection first, most frequent first; picked ones stay listed.
    options = sorted(
        (t for t in EVENT_TYPES if counts.get(t) or t in held),
        key=lambda t: (-counts.get(t, 0), EVENT_TYPES.index(t)),
    )
    picked = st.multiselect(
        "What happened",
        options,
        key="event_types",
        format_func=lambda t: f"{eventstyle.label(t)} ({counts.get(t, 0):,})",
        placeholder="Every mention, any event" if options else "No events in the selection",
        help="Only the places and passages where these events were reported (counts: events "
        "in the selection). Types:\n\n" + eventstyle.help_text(),
    )
    if "event_statuses" not in st.session_state:
        st.session_state["event_statuses"] = list(DEFAULT_STATUSES)
    statuses = st.pills(
        "Count events that are",
        list(STATUSES),
        selection_mode="multi",
        key="event_statuses",
        format_func=eventstyle.status_label,
        help="“Reported” only by default: denials, plans and threats, conditions and "
        "events of long ago are not counted as events unless picked here.\n\n"
        + "\n".join(f"- **{eventstyle.status_label(s)}**: {eventstyle.STATUS_HELP[s]}"
                    for s in STATUSES),
    )  # fmt: skip
    if not statuses:
        st.caption("No status picked: reported events are counted.")
    return replace(
        query,
        event_types=tuple(picked),
        event_statuses=tuple(s for s in STATUSES if s in (statuses or DEFAULT_STATUSES)),
    )


# --- the map's legend -------------------------------------------------------------------


def legend_html(marks: dict[str, tuple[str, int]]) -> str:
    """The event legend: the types present on the map (most places first) and the grey of
    places with no event in the selection.
    """
    places_per_type: dict[str, int] = {}
    for t, _ in marks.values():
        places_per_type[t] = places_per_type.get(t, 0) + 1
    present = sorted(places_per_type, key=lambda t: -places_per_type[t])
    legend = eventstyle.legend_html(present)
    plain = f"<span><i style='background:{mapview.PLAIN_COLOUR}'></i>mentioned, no event</span>"
    if not legend:
        return f"<div class='cm-legend cm-event-legend'>{plain}</div>"
    return legend.removesuffix("</div>") + plain + " · colour = what happened most there</div>"


# --- the place panel --------------------------------------------------------------------


def passage_events(store: Store, p: Passage, version: int) -> list[EventRow]:
    """The events told in the sentence of this passage (every status)."""
    return [
        e
        for e in article_events(store, p.article.id, version)
        if e.passage_start <= p.start < e.passage_end
    ]


def chips_html(rows: list[EventRow], query: Query) -> str:
    """One chip per event: type, status when not reported, actor; events the filter leaves
    out are faint.
    """
    if not rows:
        return ""
    chips = []
    for e in rows:
        who = e.actor and f"by {e.actor}"
        if e.source:
            who = (who + "; " if who else "") + f"says {e.source}"
        chip = eventstyle.chip_html(e.type, e.status, who)
        if (query.event_types and e.type not in query.event_types) or (
            e.status not in query.event_statuses
        ):
            chip = chip.replace("class='cm-chip", "class='cm-chip cm-chip-out", 1)
        chips.append(chip)
    return f"<div class='cm-chips'>{''.join(chips)}</div>"


def place_types(store: Store, key: str, query: Query, version: int) -> Query:
    """The events at this place as pills (type and count): picking some narrows the panel's
    passages to them. Returns the panel's query.
    """
    total, rows = event_page(store, replace(query, event_types=()), key, version, 2_000, 0)
    if not rows:
        return query
    per_type: dict[str, int] = {}
    for e in rows:
        per_type[e.type] = per_type.get(e.type, 0) + 1
    options = sorted(per_type, key=lambda t: -per_type[t])
    wanted = [t for t in query.event_types if t in options]
    state = f"panel_types_{key}"
    if state not in st.session_state:
        st.session_state[state] = wanted
    picked = st.pills(
        f"What happened here ({plural(total, 'event')})",
        options,
        selection_mode="multi",
        key=state,
        format_func=lambda t: f"{eventstyle.label(t)} {per_type[t]:,}",
        help="Pick types to read only their passages.",
    )
    return replace(query, event_types=tuple(picked)) if picked else query


def timeline_chart(rows: list[tuple[date, str, int]]):
    """Events per day at the place, stacked by type in the types' colours."""
    import altair as alt

    present = [t for t in EVENT_TYPES if any(r[1] == t for r in rows)]
    data = [{"day": d.isoformat(), "type": eventstyle.label(t), "events": n} for d, t, n in rows]
    return (
        alt.Chart(alt.Data(values=data))
        .mark_bar()
        .encode(
            x=alt.X(
                "day:T", title=None, axis=alt.Axis(format="%d %b %Y", labelAngle=0, tickCount=5)
            ),
            y=alt.Y("sum(events):Q", title=None, axis=alt.Axis(tickCount=3)),
            color=alt.Color(
                "type:N",
                scale=alt.Scale(
                    domain=[eventstyle.label(t) for t in present],
                    range=[eventstyle.colour(t) for t in present],
                ),
                legend=None,  # the pills above name the types in these colours
            ),
            tooltip=[
                alt.Tooltip("day:T", title="day", format="%d %b %Y"),
                "type:N",
                "events:Q",
            ],
        )
        .properties(
            height=130, title=alt.TitleParams("Events per day", fontSize=12, anchor="start")
        )
    )


def place_timeline(store: Store, key: str, query: Query, version: int) -> bool:
    """The place's events per day, stacked by type; False when it has no events to draw."""
    rows = place_event_timeline(store, key, query, version)
    if len({d for d, _, _ in rows}) < 2:
        return False
    st.altair_chart(timeline_chart(rows), width="stretch")
    return True


# --- the events table -------------------------------------------------------------------


def events_table(store: Store, query: Query, version: int) -> None:
    """The selection's events (date, type, place, actor, status, source, quote): sortable,
    paged; a row shows its passage with links to its place and article. Downloads below.
    """
    total, _ = event_page(store, query, None, version, 1, 0)
    if not total:
        st.info(
            "No events in the selection"
            + (": widen the dates, or pick other types or statuses." if query.event_types else ".")
        )
        return
    pages = max(1, -(-total // TABLE_PAGE))
    page = st.number_input(
        f"Page (of {pages:,}; {plural(total, 'event')} in the selection, newest first)",
        1, pages, 1, key="events_page",
    )  # fmt: skip
    _, rows = event_page(store, query, None, version, TABLE_PAGE, (page - 1) * TABLE_PAGE)
    picked_rows = st.dataframe(
        {
            "date": [e.article.published for e in rows],
            "type": [eventstyle.label(e.type) for e in rows],
            "place": [e.place.name if e.place else "" for e in rows],
            "actor": [e.actor for e in rows],
            "status": [eventstyle.status_label(e.status) for e in rows],
            "source": [e.article.source for e in rows],
            "quote": [export._event_quote(e) for e in rows],
        },
        hide_index=True, width="stretch", height=320,
        key=f"events_table_{abs(hash((query, version, page))) % 10**9}",
        on_select="rerun", selection_mode="single-row",
        column_config={"quote": st.column_config.TextColumn(width="large")},
    )  # fmt: skip
    st.caption("Click a column to sort; select a row to read its passage.")
    picked = list(getattr(getattr(picked_rows, "selection", None), "rows", []) or [])
    if picked and picked[0] < len(rows):
        event_passage(store, rows[picked[0]], query)
    d1, d2 = st.columns(2)
    d1.download_button(
        f"Download events (CSV, {total:,})",
        lambda: export.events_csv(store.events(query, None, None)),
        file_name="conflict_map_events.csv", mime="text/csv", key="events_csv",
        on_click="ignore",
    )  # fmt: skip
    d2.download_button(
        f"Download events (GeoJSON, {total:,})",
        lambda: export.events_geojson(store.events(query, None, None)),
        file_name="conflict_map_events.geojson", mime="application/geo+json",
        key="events_geojson", on_click="ignore",
    )  # fmt: skip


def event_passage(store: Store, e: EventRow, query: Query) -> None:
    """One event's passage with its chip, and buttons to its place, its article, a fix."""
    with st.container(border=True, key="event_passage"):
        st.html(chips_html([e], replace(query, event_types=())))
        st.html(render.passage_html(e.article, e.start, e.end, [], query.text, None))
        c1, c2, c3 = st.columns(3)
        if e.place is not None and c1.button(
            f"Open {render.md_escape(e.place.name, 60)}", key="event_open_place",
            icon=":material/place:",
        ):  # fmt: skip
            select_place(e.place)
            st.rerun()
        if c2.button("Read article", key="event_read", icon=":material/article:"):
            st.session_state["reader"] = e.article.id
            st.rerun()
        if c3.button("Correct the event…", key="event_fix", icon=":material/edit:"):
            event_dialog(store, e)


# --- corrections ------------------------------------------------------------------------

EVENT_FIXES = ("Wrong event type", "Not an event")


def event_scope(prefix: str, trigger: str, source: str) -> str:
    labels = {
        "mention": "This event only",
        "article": f"“{trigger}” everywhere in this article",
        "source": f"“{trigger}” in every article of {source}",
        "everywhere": f"“{trigger}” in every article, new ones too (a rule)",
    }
    return st.radio(
        "Apply to",
        list(labels),
        format_func=lambda k: render.md_escape(labels[k], 200),
        index=0,
        key=f"{prefix}_escope",
    )


def event_correction_form(store: Store, evs: list[EventRow], what: str, prefix: str) -> None:
    """The event half of the correction dialog: which event, its right type (for "Wrong
    event type"), the scope, a reason, Save; an event a user already set can be undone.
    """
    from ui.corrections import author, save_correction

    if len(evs) > 1:
        i = st.radio(
            "Which event",
            range(len(evs)),
            format_func=lambda i: render.md_escape(
                f"{eventstyle.label(evs[i].type)} — “{evs[i].article.text[evs[i].start : evs[i].end]}”"
                + (f", by {evs[i].actor}" if evs[i].actor else ""),
                200,
            ),
            key=f"{prefix}_event",
        )
    else:
        i = 0
    e = evs[i or 0]
    trigger = e.article.text[e.start : e.end]
    st.html(chips_html([e], Query(event_statuses=tuple(STATUSES))))
    if e.correction_id is not None:
        st.caption("A user set this event's type. " + render.md_escape(e.correction_note or ""))
        if st.button("Undo that correction", key=f"{prefix}_undo_event"):
            store.undo_correction(e.correction_id)
            st.session_state["_toast"] = "Correction undone"
            st.rerun()
    new_type = None
    if what == EVENT_FIXES[0]:
        others = [t for t in EVENT_TYPES if t != e.type]
        new_type = st.selectbox(
            "The right type",
            others,
            index=None,
            format_func=eventstyle.label,
            key=f"{prefix}_type",
            placeholder="Pick the type of this event",
            help=eventstyle.help_text(),
        )
        if new_type:
            st.caption(render.md_escape(eventstyle.definition(new_type)))
    scope = event_scope(prefix, trigger, e.article.source)
    note = st.text_input(
        "Your reason (optional, shown next to the event)", key=f"{prefix}_enote", max_chars=500
    )
    c = Correction(
        "event_type" if what == EVENT_FIXES[0] else "not_event",
        scope,
        trigger,
        None,
        e.article.id,
        e.article.source,
        e.start,
        e.end,
        note,
        author(),
        event_type=new_type,
    )
    if st.button(
        "Save correction",
        type="primary",
        key=f"{prefix}_save_event",
        disabled=what == EVENT_FIXES[0] and new_type is None,
    ):
        save_correction(store, c, confirmed=True)


@st.dialog("Correct this event", width="large")
def event_dialog(store: Store, e: EventRow) -> None:
    st.html(
        f"<blockquote class='cm-quote'>{render.quote_html(e.article.text, e.start, e.end)}"
        "</blockquote>"
    )
    what = st.radio("What is wrong?", list(EVENT_FIXES), key="evdlg_what", horizontal=True)
    event_correction_form(store, [e], what, "evdlg")


CSS = """
<style>
.cm-chips {display: flex; flex-wrap: wrap; gap: 4px; margin: 0.3rem 0 0 0;}
.cm-chip {display: inline-flex; align-items: center; gap: 4px; font-size: 0.78rem;
  border: 1px solid #ccc; border-radius: 10px; padding: 0 7px; background: #fff; color: #222;}
.cm-chip i {display: inline-block; width: 9px; height: 9px; border-radius: 50%;}
.cm-chip-faint {border-style: dashed; color: #555;}
.cm-chip-out {opacity: 0.55;}
.cm-chip-extra {color: #555;}
</style>
"""
