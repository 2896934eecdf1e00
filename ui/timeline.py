"""The weekly timeline: brush a date range, presets, play week by week."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import streamlit as st

from geo.store import Store

PRESETS = {"7 days": 7, "30 days": 30, "90 days": 90, "Main span": None, "All": 0}


PLAY_WINDOW_DAYS = 7


TIMELINE_HEIGHT_PX = 80  # the header's timeline: a strip (bars about 35 px tall under the axes)


PLAY_STEP_S = 1.2


def set_dates(lo: date, hi: date) -> None:
    """Ask for a new date range: applied before the date widget is drawn on the next run."""
    st.session_state["_pending_dates"] = (lo, hi)
    st.rerun()


def advance_play(bounds: tuple[date, date] | None) -> bool:
    """While "Play" runs: show the current week and schedule the next. True while playing."""
    at = st.session_state.get("_play")
    if at is None or not bounds:
        return False
    if at > bounds[1]:
        st.session_state.pop("_play", None)
        return False
    st.session_state["dates"] = (at, min(at + timedelta(days=PLAY_WINDOW_DAYS - 1), bounds[1]))
    return True


@st.cache_data(show_spinner=False)
def weekly_counts(_store: Store, version: int):
    """Articles per week and the core span: once per database revision, not every rerun."""
    return _store.articles_per_week(), _store.core_dates()


def timeline_bar(
    store: Store, bounds: tuple[date, date], start, end, playing: bool, version: int
) -> None:
    """Articles per week over the whole corpus; drag across it to pick the date range.

    Presets pick the last 7/30/90 days before the newest article, the core span or all;
    "Play" steps a one-week window through the selected range.
    """
    import altair as alt

    weeks, core = weekly_counts(store, version)
    if not weeks:
        return
    lo, hi = start or bounds[0], end or bounds[1]
    data = [
        {"week": w.isoformat(), "articles": n, "in range": lo - timedelta(days=6) <= w <= hi}
        for w, n in weeks
    ]
    core = core or bounds
    shown = [
        d for d in data if core[0] - timedelta(days=7) <= date.fromisoformat(d["week"]) <= core[1]
    ]
    if st.session_state.get("_timeline_all") or lo < core[0] or hi > core[1]:
        shown = data  # a range beyond the core span is drawn in full
    brush = alt.selection_interval(encodings=["x"], name="brush")
    chart = (
        alt.Chart(alt.Data(values=shown))
        .mark_bar()
        .encode(
            x=alt.X(
                "week:T", title=None, axis=alt.Axis(format="%d %b %Y", labelAngle=0, tickCount=8)
            ),
            y=alt.Y("articles:Q", title=None, axis=alt.Axis(tickCount=2, labelFontSize=9)),
            color=alt.condition("datum['in range']", alt.value("#c51b1b"), alt.value("#c9c9c9")),
            tooltip=[alt.Tooltip("week:T", title="week of", format="%d %b %Y"), "articles:Q"],
        )
        .add_params(brush)
        .properties(height=TIMELINE_HEIGHT_PX)
    )
    event = st.altair_chart(
        chart, width="stretch", on_select="rerun", key=f"timeline_{lo}_{hi}",
        selection_mode="brush",
    )  # fmt: skip
    picked = ((event or {}).get("selection") or {}).get("brush") or {}
    span = picked.get("week") if isinstance(picked, dict) else None
    if span and len(span) == 2 and not playing:
        a, b = (_as_date(v) for v in span)
        if a and b:
            a, b = max(min(a, b), bounds[0]), min(max(a, b), bounds[1])
            if (a, b) != (lo, hi) and st.session_state.get("_brushed") != (a, b):
                st.session_state["_brushed"] = (a, b)
                set_dates(a, b)
    # Presets and Play in one row under the chart; the "whole corpus" switch is a display
    # option of this chart and sits in the sidebar, so the row fits a 1024 px window.
    pcols = st.columns([4, 1], vertical_alignment="center")
    with pcols[0]:
        st.segmented_control(
            "Date presets", list(PRESETS), key="preset", label_visibility="collapsed",
            on_change=_apply_preset, args=(bounds, core),
            help="Last 7, 30 or 90 days up to the newest article (of the span where the articles "
            "cluster); that span; everything",
        )  # fmt: skip
    with pcols[1]:
        if playing:
            if st.button("Stop", key="play_stop", width="stretch", icon=":material/stop:"):
                st.session_state.pop("_play", None)
                set_dates(*st.session_state.pop("_play_range", (lo, hi)))
        elif st.button(
            "Play", key="play", width="stretch", icon=":material/play_arrow:",
            help="Step a one-week window through the selected range, week by week",
        ):  # fmt: skip
            st.session_state["_play_range"] = (lo, hi)
            st.session_state["_play"] = lo
            st.rerun()
    st.sidebar.checkbox(
        "Timeline: every week of the corpus", key="_timeline_all",
        help="The timeline above the map shows the articles per week (drag across the bars to "
        "pick dates). Ticked: every week, not only the main span where the articles cluster.",
    )  # fmt: skip
    if playing:
        st.caption(f"Playing: week of {lo:%d %b %Y}")


def _apply_preset(bounds: tuple[date, date], core: tuple[date, date]) -> None:
    """The preset control's callback: a new range, and the control is cleared again."""
    days = PRESETS.get(st.session_state.get("preset") or "", -1)
    st.session_state["preset"] = None
    if days is None:
        st.session_state["_pending_dates"] = tuple(core)
    elif days == 0:
        st.session_state["_pending_dates"] = tuple(bounds)
    elif days > 0:
        # Before the newest article of the core span: one stray later text must not turn
        # "last 30 days" into a month of nothing.
        lo = max(bounds[0], core[1] - timedelta(days=days - 1))
        st.session_state["_pending_dates"] = (lo, core[1])


def _as_date(value) -> date | None:
    """A brush end from the chart: epoch milliseconds or an ISO date string."""
    try:
        if isinstance(value, int | float):
            return datetime.fromtimestamp(value / 1000, UTC).date()
        return date.fromisoformat(str(value)[:10])
    except (ValueError, OverflowError, OSError):
        return None


def next_play_step() -> None:
    """After the page is drawn: wait, then move the playing window one week on."""
    at = st.session_state.get("_play")
    if at is None:
        return
    end = st.session_state.get("_play_range", (at, at))[1]
    time.sleep(PLAY_STEP_S)
    nxt = at + timedelta(days=PLAY_WINDOW_DAYS)
    if nxt > end:
        st.session_state.pop("_play", None)
        st.session_state["_pending_dates"] = st.session_state.pop("_play_range", (at, end))
    else:
        st.session_state["_play"] = nxt
    st.rerun()
