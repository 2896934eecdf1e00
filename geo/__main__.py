"""Command line: python -m geo {ingest,watch,geoparse,evaluate,events,gazetteer,precompute,
corrections,remove,migrate,focus}.

This module builds the parser (options, help texts, examples) and runs the command given;
each command's work is in geo/cli/.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from geo import corrections as corrections_mod
from geo.cli.build import cmd_gazetteer, cmd_precompute
from geo.cli.corrections import cmd_corrections
from geo.cli.database import cmd_migrate, cmd_remove
from geo.cli.evaluate import cmd_evaluate
from geo.cli.events import cmd_events
from geo.cli.focus import cmd_focus
from geo.cli.geoparse import cmd_geoparse
from geo.cli.ingest import cmd_ingest
from geo.cli.watch import cmd_watch
from geo.errors import GeoError
from geo.redact import RedactFilter, redact

EPILOG = {
    "ingest": "example: python -m geo ingest data/articles/ my_article.txt --db /tmp/cm.sqlite\n"
    "also:    python -m geo ingest archive/ --cluster 2   (a local Dask cluster, 2 processes)\n"
    "         python -m geo ingest archive/ --scheduler tcp://HOST:8786   (a running one)",
    "geoparse": "example: python -m geo geoparse data/sample/000_fa1a19d97a69d7e0.txt --format jsonl\n"
    "also:    python -m geo geoparse story.txt --focus UA,RU --gazetteer-csv my_places.csv",
    "evaluate": "example: python -m geo evaluate ../shared/geoparsing_eval/gwn.jsonl --errors\n"
    "also:    python -m geo evaluate gwn.jsonl --calibration   (how right each confidence is)",
    "events": "example: python -m geo events passages.jsonl --predictions events.jsonl\n"
    "also:    python -m geo events --eval data/events/world.jsonl --split holdout --errors",
    "gazetteer": "example: python -m geo gazetteer --rebuild",
    "precompute": "example: python -m geo precompute",
    "watch": "example: python -m geo watch https://example.org/feed.rss --every 15m",
    "corrections": "example: python -m geo corrections export fixes.jsonl\n"
    "also:    python -m geo corrections import fixes.jsonl\n"
    "         python -m geo corrections list\n         python -m geo corrections undo 12",
    "remove": "example: python -m geo remove --source 'Kremlin'\n"
    "also:    python -m geo remove --article 000_fa1a19d97a69d7e0\n"
    "         python -m geo remove --file data/articles/bad.csv\n"
    "         python -m geo remove --restore 3",
    "focus": "example: python -m geo focus --set UA,RU   (then: python -m geo ingest data/sample)\n"
    "also:    python -m geo focus   (the focus kept and the one the corpus suggests)\n"
    "         python -m geo focus --set none",
    "migrate": "example: python -m geo migrate --from data/conflict_map.sqlite"
    " --to postgresql://analyst@dbhost/conflict_map\n"
    "Running it again copies only what is new.",
}


def _geoparser_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--focus",
        metavar="CC,CC",
        help="countries the corpus is about, e.g. UA,RU (or UA:1,RU:0.5): a small prior "
        'for ambiguous names ("Odessa" is Odesa unless the article places it elsewhere); '
        "'auto' (geoparse and evaluate: the default) finds it from the inputs, 'none' turns "
        "it off. ingest keeps it with the database (see `focus`) and otherwise uses the "
        "one kept there",
    )
    p.add_argument(
        "--gazetteer-csv",
        action="append",
        metavar="FILE",
        help="your own places (CSV: name,aliases,lat,lon,kind,country,parent), winning over "
        "GeoNames; repeatable; data/gazetteer/user/*.csv is always read",
    )


def _online_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--online",
        choices=["nominatim", "photon"],
        help="also ask this online geocoder for names the offline gazetteer lacks "
        "(cached, rate-limited; off by default; same as $CONFLICT_MAP_ONLINE)",
    )


def _fetch_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--follow-links",
        action="store_true",
        help="for feed entries with only a short summary, fetch the linked page's text",
    )
    p.add_argument(
        "--allow-private",
        action="store_true",
        help="let URLs reach this machine and private networks (refused by default; "
        "same as CONFLICT_MAP_ALLOW_PRIVATE=1)",
    )


def _workers_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--workers", type=int, help="geoparsing processes (default: one per core, at most 4)"
    )


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m geo", description="Conflict Map: geoparse news articles into a map."
    )
    ap.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = ap.add_subparsers(dest="command", required=True)

    def add(name: str, help_: str):
        return sub.add_parser(
            name,
            help=help_,
            description=help_,
            epilog=EPILOG[name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    p = add("ingest", "Add articles (files or folders) to the database, geoparsing what is new.")
    p.add_argument(
        "paths",
        nargs="*",
        help="files (.txt .md .html .json .jsonl .csv .tsv .rss .atom, also .gz and .zip), "
        "folders, or http(s) URLs of pages or feeds",
    )
    p.add_argument(
        "--db", help="database file (default: $CONFLICT_MAP_DB or data/conflict_map.sqlite)"
    )
    p.add_argument(
        "--urls", action="append", metavar="FILE", help="a file of URLs, one per line (# comments)"
    )
    p.add_argument(
        "--column",
        action="append",
        metavar="FIELD=NAME",
        help="read FIELD (id, title, published, url, source, text, language) from the column "
        "or key NAME of CSV/JSON/JSONL records; repeatable, e.g. --column text=body",
    )
    _fetch_flags(p)
    _workers_option(p)
    _geoparser_options(p)
    g = p.add_mutually_exclusive_group()
    g.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="geoparse on the workers of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 "
        "(start it with `dask scheduler`, workers with `dask worker ADDRESS`); "
        "this process reads the inputs and writes the database",
    )
    g.add_argument(
        "--cluster",
        type=int,
        metavar="N",
        help="geoparse on a local Dask cluster of N worker processes, one thread each",
    )
    p.set_defaults(func=cmd_ingest)

    p = add("watch", "Poll feeds on a schedule and ingest their new items (until Ctrl-C).")
    p.add_argument(
        "urls_pos",
        nargs="*",
        metavar="FEED_OR_URL",
        help="feed or page addresses (none: the feeds the database already watches)",
    )
    p.add_argument("--urls", action="append", metavar="FILE", help="a file of feed URLs")
    p.add_argument("--every", default="15m", help="poll interval: 15m, 2h, 1d (default 15m)")
    p.add_argument("--rounds", type=int, help="stop after this many polls of every feed")
    p.add_argument(
        "--db", help="database file (default: $CONFLICT_MAP_DB or data/conflict_map.sqlite)"
    )
    _fetch_flags(p)
    _workers_option(p)
    p.set_defaults(func=cmd_watch)

    p = add("geoparse", "Print the places found in articles as JSON, one object per article.")
    p.add_argument("files", nargs="+")
    p.add_argument("--format", choices=["jsonl", "json"], default="jsonl")
    p.add_argument("--db", help="accepted for symmetry; geoparse never writes the database")
    _online_option(p)
    _geoparser_options(p)
    p.set_defaults(func=cmd_geoparse)

    p = add("evaluate", "Score the geoparser on an annotated corpus (JSONL with gold toponyms).")
    p.add_argument("gold", help="gold corpus, e.g. gwn.jsonl")
    p.add_argument("--predictions", help="write predictions here (default: a temporary file)")
    p.add_argument("--errors", action="store_true", help="list the most frequent errors")
    p.add_argument("--top", type=int, default=25, help="rows per error list")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.add_argument("--limit", type=int, default=0, help="only the first N articles")
    p.add_argument("--subset", choices=["auto", "geonames", "coords"], default="auto")
    p.add_argument(
        "--calibration",
        action="store_true",
        help="show how often mentions of each confidence band are right (within 161 km)",
    )
    _geoparser_options(p)
    p.add_argument("--db", help="ignored: evaluation never touches the database")
    p.set_defaults(func=cmd_evaluate)

    p = add(
        "events",
        "Find events (shelling, air strikes, clashes, protests, talks, ...) in passages, or "
        "score them against labelled passages.",
    )
    p.add_argument("input", nargs="?", help="JSONL records {id, text[, title, published]}")
    p.add_argument("--predictions", help="write {id, events} per record here (default: stdout)")
    p.add_argument("--eval", metavar="GOLD", help="score against labelled passages (JSONL)")
    p.add_argument("--split", choices=["dev", "holdout", "all"], default="all")
    p.add_argument("--errors", action="store_true", help="list passages with a wrong main type")
    p.add_argument("--top", type=int, default=50, help="passages listed by --errors")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.add_argument(
        "--stored",
        action="store_true",
        help="list the events stored in the database (--db) as CSV, to --predictions or stdout",
    )
    p.add_argument("--type", action="append", help="with --stored: only this type (repeatable)")
    p.add_argument(
        "--status",
        action="append",
        help="with --stored: events of this status (repeatable; default reported)",
    )
    p.add_argument("--from", dest="start", help="with --stored: published on or after YYYY-MM-DD")
    p.add_argument("--to", dest="end", help="with --stored: published on or before YYYY-MM-DD")
    p.add_argument(
        "--db",
        help="with --stored: database file (default: $CONFLICT_MAP_DB or "
        "data/conflict_map.sqlite); else ignored",
    )
    p.set_defaults(func=cmd_events)

    p = add("gazetteer", "Build (or check) the offline gazetteer index.")
    p.add_argument("--rebuild", action="store_true", help="rebuild even if present")
    p.add_argument("--path", help="index file (default data/gazetteer.sqlite)")
    p.add_argument("--db", help="ignored")
    p.set_defaults(func=cmd_gazetteer)

    p = add("corrections", "List, export, import or undo users' corrections of the geoparser.")
    p.add_argument("action", choices=["list", "export", "import", "undo"])
    p.add_argument("file", nargs="?", help="JSONL file (export/import) or correction number (undo)")
    p.add_argument(
        "--yes",
        action="store_true",
        help="import rules that change more than "
        f"{corrections_mod.MAX_UNCONFIRMED:,} mentions without asking (else asked at a "
        "terminal, refused otherwise)",
    )
    p.add_argument(
        "--db", help="database file (default: $CONFLICT_MAP_DB or data/conflict_map.sqlite)"
    )
    p.set_defaults(func=cmd_corrections)

    p = add("remove", "Remove an article, a source or one input's articles (undo with --restore).")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--article", metavar="ID", help="one article, by id")
    g.add_argument("--source", metavar="NAME", help="every article of this source")
    g.add_argument("--file", metavar="PATH_OR_URL", help="every article read from this input")
    g.add_argument("--restore", type=int, metavar="BATCH", help="put back a removal")
    g.add_argument("--list", action="store_true", help="list removed articles")
    p.add_argument(
        "--db", help="database file (default: $CONFLICT_MAP_DB or data/conflict_map.sqlite)"
    )
    p.set_defaults(func=cmd_remove)

    p = add(
        "migrate",
        "Copy a corpus (articles, mentions, corrections) to another database, e.g. a local "
        "SQLite file to PostgreSQL; running it again copies only what is new.",
    )
    p.add_argument("--from", dest="source", required=True, help="database file or URL to read")
    p.add_argument(
        "--to", dest="target", required=True, help="database to fill: postgresql://… or a file"
    )
    p.add_argument("--db", help="ignored: name the databases with --from and --to")
    p.set_defaults(func=cmd_migrate)

    p = add(
        "focus",
        "Show or set the corpus focus: the countries the database's articles are about, a "
        "small prior for ambiguous names in every later ingest and in the app.",
    )
    p.add_argument(
        "--set",
        metavar="CC,CC",
        help="e.g. UA,RU (or UA:1,RU:0.5); 'auto': the countries the stored articles mention "
        "most; 'none': no focus. Stored articles whose names it may read differently are "
        "parsed again at the next ingest or app start",
    )
    p.add_argument(
        "--db", help="database file (default: $CONFLICT_MAP_DB or data/conflict_map.sqlite)"
    )
    p.set_defaults(func=cmd_focus)

    p = add(
        "precompute", "Geoparse the bundled sample and save the results for a fast first start."
    )
    p.add_argument("--db", help="ignored")
    p.set_defaults(func=cmd_precompute)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    # Database addresses may carry a password: no message or log line shows it.
    addresses = [getattr(args, k, None) for k in ("db", "source", "target")]
    addresses.append(os.environ.get("CONFLICT_MAP_DB"))
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactFilter(*addresses))
    if getattr(args, "online", None):
        os.environ["CONFLICT_MAP_ONLINE"] = args.online
    try:
        return args.func(args)
    except GeoError as err:
        print(f"error: {redact(err, *addresses)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
