"""`evaluate`: score the geoparser on a corpus with gold toponyms."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from geo.cli.geoparse import with_confidence
from geo.cli.geoparser import focus_flag, geoparser
from geo.cli.progress import Bar


def _gold_lang(record: dict) -> str:
    """The recogniser's language for a gold record: its `lang`, else detected from the text."""
    from geo.language import detect

    lang = record.get("lang") or detect(record["text"])
    return "en" if lang == "und" else lang


def cmd_evaluate(args) -> int:
    from geo.evaluate import (
        calibration,
        format_calibration,
        format_errors,
        format_result,
        load_jsonl,
        score,
    )
    from geo.focus import parse_corpus
    from geo.models import Article
    from geo.pipeline import article_json

    gold = load_jsonl(Path(args.gold))
    if args.limit:
        gold = gold[: args.limit]
    gp = geoparser(args)
    articles = [
        Article(
            str(g["id"]), g.get("url"), g.get("title") or "", None, "", _gold_lang(g), g["text"]
        )
        for g in gold
    ]
    out_path = Path(args.predictions) if args.predictions else None
    tmp = None
    if out_path is None:
        tmp = tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8")
        out_path = Path(tmp.name)
        tmp.close()
    preds: dict[str, list[dict]] = {}
    used: dict[str, float] = {}  # the corpus focus
    bar = Bar("evaluating")
    t0 = time.perf_counter()
    with out_path.open("w", encoding="utf-8") as fh:
        found = parse_corpus(gp, articles, focus_flag(args), on_focus=used.update)
        for n, (art, mentions) in enumerate(found, 1):
            rec = with_confidence(article_json(art, mentions), mentions)
            preds[art.id] = rec["toponyms"]
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            bar(n, len(articles))
    elapsed = time.perf_counter() - t0
    bar.close()
    res, errors = score(gold, preds, args.subset)
    res["seconds_per_article"] = elapsed / max(1, len(articles))
    res["articles_per_second"] = len(articles) / elapsed if elapsed else None
    res["predictions"] = str(out_path)
    res["focus"] = used
    if args.calibration:
        res["calibration"] = calibration(gold, preds, args.subset)
    if args.json:
        print(json.dumps(res, indent=2))
    else:
        print(format_result(res))
        print("focus: " + (", ".join(f"{k} {v:g}" for k, v in used.items()) or "none"))
        print(f"predictions: {out_path}")
        if args.calibration:
            print(format_calibration(res["calibration"]))
    if args.errors:
        print(format_errors(errors, args.top))
    return 0
