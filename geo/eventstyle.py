"""How event types and statuses are shown: readable labels, definitions and fixed colours.

The colours are fixed per type, so a type keeps its colour whatever else is selected. They
come from the Okabe-Ito and Paul Tol palettes, which stay apart for the common kinds of
colour blindness; the five violent types, the ones a map of a war is mostly about, take the
most distinct of them. Labels and colours never come from article text.
"""

from __future__ import annotations

import html

from geo.events import EVENT_TYPES, STATUSES, definitions

LABELS = {
    "armed_clash": "Armed clash",
    "shelling": "Shelling",
    "air_strike": "Air or drone strike",
    "explosion": "Explosion or mine",
    "attack_on_civilians": "Attack on civilians",
    "territory_change": "Territory changes hands",
    "arrest": "Arrest or detention",
    "protest": "Protest",
    "riot": "Riot",
    "talks": "Talks",
    "sanctions": "Sanctions",
    "evacuation": "Evacuation",
    "aid": "Humanitarian aid",
    "military_aid": "Military aid",
}

COLOURS = {
    "shelling": "#D55E00",  # vermillion
    "air_strike": "#0072B2",  # blue
    "armed_clash": "#E69F00",  # orange
    "explosion": "#CC79A7",  # reddish purple
    "attack_on_civilians": "#882255",  # wine
    "territory_change": "#009E73",  # bluish green
    "arrest": "#332288",  # indigo
    "protest": "#DDCC77",  # sand
    "riot": "#AA4499",  # purple
    "talks": "#44AA99",  # teal
    "sanctions": "#999933",  # olive
    "evacuation": "#56B4E9",  # sky blue
    "aid": "#88CCEE",  # cyan
    "military_aid": "#117733",  # green
}

STATUS_LABELS = {
    "reported": "Reported",
    "denied": "Denied",
    "negated": "Did not happen",
    "planned": "Planned",
    "hypothetical": "Hypothetical",
    "historical": "Historical",
}

STATUS_HELP = {
    "reported": "The text says it happened.",
    "denied": "Someone denies it happened (“the Kremlin denied shelling …”).",
    "negated": "The text says it did not happen.",
    "planned": "Planned, threatened or expected: talks next week, a threatened offensive.",
    "hypothetical": "Only if something else happens (“if they attack …”).",
    "historical": "Long ago: a bombing in 1943, not news.",
}

assert set(LABELS) == set(COLOURS) == set(EVENT_TYPES)
assert set(STATUS_LABELS) == set(STATUS_HELP) == set(STATUSES)

UNKNOWN_COLOUR = "#777777"


def label(event_type: str) -> str:
    """The type's readable name ("air_strike" -> "Air or drone strike"); an unknown type as is."""
    return LABELS.get(event_type, event_type.replace("_", " ").capitalize())


def colour(event_type: str) -> str:
    """The type's fixed colour (hex); grey for a type this code does not know."""
    return COLOURS.get(event_type, UNKNOWN_COLOUR)


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.capitalize())


def definition(event_type: str) -> str:
    """The type's one-line definition (data/events/types.toml), "" for an unknown type."""
    return definitions().get(event_type, "")


def help_text(types: list[str] | tuple[str, ...] | None = None) -> str:
    """Markdown list "**Label**: definition", one line per type (all types by default)."""
    return "\n".join(f"- **{label(t)}**: {definition(t)}" for t in (types or EVENT_TYPES))


def chip_html(event_type: str, status: str = "reported", extra: str = "") -> str:
    """A small label for one event: a swatch of its colour and its name, then its status
    when not reported, then `extra` (e.g. the actor; escaped here).
    """
    text = html.escape(label(event_type))
    if status != "reported":
        text += f" · {html.escape(status_label(status).lower())}"
    if extra:
        text += f" <span class='cm-chip-extra'>{html.escape(extra)}</span>"
    faint = "" if status == "reported" else " cm-chip-faint"
    return (
        f"<span class='cm-chip{faint}' data-event-type='{html.escape(event_type)}'>"
        f"<i style='background:{colour(event_type)}'></i>{text}</span>"
    )


def legend_html(present: list[str] | tuple[str, ...]) -> str:
    """The legend of the types in `present` (in that order): a swatch and a label each."""
    items = "".join(
        f"<span data-legend-type='{t}'><i style='background:{colour(t)}'></i>"
        f"{html.escape(label(t))}</span>"
        for t in present
        if t in COLOURS
    )
    return f"<div class='cm-legend cm-event-legend'>{items}</div>" if items else ""
