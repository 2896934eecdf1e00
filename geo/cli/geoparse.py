"""`geoparse`: print the places found in articles as JSON."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

from geo.cli.geoparser import focus_flag, geoparser


def cmd_geoparse(args) -> int:
    from geo.articles import load_file
    from geo.focus import parse_corpus
    from geo.language import detect
    from geo.models import Failure, Notice
    from geo.pipeline import GEOPARSED_LANGUAGES, article_json
    from geo.textguard import guard

    gp = geoparser(args)
    failed = 0
    articles = []
    for path in args.files:
        for item in load_file(Path(path)):
            if isinstance(item, Failure):
                print(f"error: {item.source}: {item.detail}", file=sys.stderr)
                failed += 1
                continue
            if isinstance(item, Notice):
                print(f"warning: {item.source}: {item.message}", file=sys.stderr)
                continue
            lang = detect(item.text)
            if lang in GEOPARSED_LANGUAGES and lang not in {"und", item.language}:
                item = replace(item, language=lang)  # as ingest does: the text's language
            if refused := guard(item.text).refused:  # printed, and kept without places
                print(f"error: {item.id}: {refused}", file=sys.stderr)
                failed += 1
            articles.append(item)
    for item, mentions in parse_corpus(gp, articles, focus_flag(args)):
        rec = with_confidence(article_json(item, mentions), mentions)
        if args.format == "jsonl":
            print(json.dumps(rec, ensure_ascii=False))
        else:
            print(json.dumps(rec, ensure_ascii=False, indent=2))
    return 1 if failed else 0


def with_confidence(rec: dict, mentions: list) -> dict:
    """The contract record with each toponym's confidence (None when unresolved)."""
    for t, m in zip(rec["toponyms"], mentions, strict=True):
        t["confidence"] = m.confidence
    return rec
