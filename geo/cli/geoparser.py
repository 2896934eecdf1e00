"""The geoparser a command works with: the offline gazetteer, the user's places and the
corpus focus of --focus."""

from __future__ import annotations

from pathlib import Path

from geo.cli.progress import Bar
from geo.errors import ArticleError


def geoparser(args):
    """The Geoparser for the command: gazetteer (built once if missing), --gazetteer-csv, focus."""
    from geo.gazetteer import Gazetteer
    from geo.pipeline import Geoparser

    bar: Bar | None = None

    def on_progress(done: int, total: int) -> None:
        nonlocal bar  # a bar only appears when the index really has to be built
        bar = bar or Bar("building gazetteer (once)", "step")
        bar(done, total)

    try:
        gaz = Gazetteer.open_or_build(on_progress=on_progress)
    finally:
        if bar is not None:
            bar.close()
    if getattr(args, "gazetteer_csv", None):
        gaz.add_user_csv(Path(f) for f in args.gazetteer_csv)
    gp = Geoparser(gazetteer=gaz)
    focus = focus_flag(args)
    if focus == "auto" and args.command not in {"geoparse", "evaluate"}:
        raise ArticleError("--focus auto needs the whole corpus: name the countries, e.g. UA,RU")
    gp.resolver.focus = focus if isinstance(focus, dict) else {}
    return gp


def focus_flag(args) -> dict[str, float] | str:
    """The --focus flag: "auto" (found from the inputs), or country code -> weight."""
    from geo.focus import parse_focus

    text = getattr(args, "focus", None)
    if text is None:  # geoparse and evaluate read a whole corpus: its own focus
        text = "auto" if args.command in {"geoparse", "evaluate"} else "none"
    if text.strip().lower() == "auto":
        return "auto"
    if text.strip().lower() == "none":
        return {}
    try:
        return parse_focus(text)
    except ValueError as err:
        raise ArticleError(f"--focus: {err}") from err
