"""Stored events (geo.store.events): saving and reading them back, the event filter of the
map's queries, corrections of their type, removal and restore, migration, the precomputed
sample and a real ingest, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from geo.events import Event
from geo.migrate import migrate
from geo.models import Article, Correction, Mention, Place
from geo.store import Query, Store

KHARKIV = Place(706483, "Kharkiv", "city", 49.98, 36.25, "UA")
KYIV = Place(703448, "Kyiv", "city", 50.45, 30.52, "UA")
V1 = "v1"

TEXT_A = (
    "Russian forces shelled Kharkiv overnight. "
    "Officials in Kyiv denied that talks took place. "
    "Moscow plans to attack Kharkiv again. "
    + " ".join(f"Residents of district number {n} queued for water and bread." for n in range(12))
)
TEXT_B = "Artillery shelled Kharkiv on Monday. A protest was held in Kyiv."


def _at(text: str, word: str, nth: int = 0) -> tuple[int, int]:
    s = -1
    for _ in range(nth + 1):
        s = text.index(word, s + 1)
    return s, s + len(word)


def _sentence(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind(". ", 0, pos)
    start = 0 if start < 0 else start + 2
    end = text.find(".", pos) + 1
    return start, end


def _mention(aid: str, text: str, word: str, place: Place, nth: int = 0) -> Mention:
    s, e = _at(text, word, nth)
    return Mention(aid, s, e, word, "name", place, "test")


def _event(text: str, trigger: str, typ: str, place_index: int | None, status="reported"):
    s, e = _at(text, trigger)
    ps, pe = _sentence(text, s)
    return Event(
        type=typ, start=s, end=e, trigger=trigger, passage_start=ps, passage_end=pe,
        place=None, place_index=place_index, place_basis="sentence" if place_index is not None else "",
        resolved=None, actor="Russian forces" if typ == "shelling" else None, target=None,
        status=status, source="", confidence=0.85,
    )  # fmt: skip


def article_a(aid="a", source="wire", published=date(2024, 3, 1)):
    art = Article(aid, None, "A", published, source, "en", TEXT_A)
    mentions = [
        _mention(aid, TEXT_A, "Kharkiv", KHARKIV),
        _mention(aid, TEXT_A, "Kyiv", KYIV),
        _mention(aid, TEXT_A, "Kharkiv", KHARKIV, 1),
    ]
    events = [
        _event(TEXT_A, "shelled", "shelling", 0),
        _event(TEXT_A, "talks", "talks", 1, status="denied"),
        _event(TEXT_A, "attack", "armed_clash", 2, status="planned"),
    ]
    return art, mentions, events


def article_b(aid="b", source="daily", published=date(2024, 3, 2)):
    art = Article(aid, None, "B", published, source, "en", TEXT_B)
    mentions = [_mention(aid, TEXT_B, "Kharkiv", KHARKIV), _mention(aid, TEXT_B, "Kyiv", KYIV)]
    events = [
        _event(TEXT_B, "shelled", "shelling", 0),
        _event(TEXT_B, "protest", "protest", 1),
    ]
    return art, mentions, events


def fill(store: Store) -> None:
    for art, mentions, events in (article_a(), article_b()):
        store.save(art, mentions, V1, "t", events=events)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        s = Store(tmp_path / "events.sqlite")
    else:
        s = Store(request.getfixturevalue("pg_url"))
    yield s
    s.close()


def _shape(rows):
    return [(r.article.id, r.type, r.status, r.place.name if r.place else None) for r in rows]


def test_saved_events_read_back(store):
    fill(store)
    rows = store.events_of("a")
    assert _shape(rows) == [
        ("a", "shelling", "reported", "Kharkiv"),
        ("a", "talks", "denied", "Kyiv"),
        ("a", "armed_clash", "planned", "Kharkiv"),
    ]
    r = rows[0]
    assert TEXT_A[r.start : r.end] == "shelled"
    assert TEXT_A[r.passage_start : r.passage_end] == "Russian forces shelled Kharkiv overnight."
    assert (r.actor, r.target, r.confidence, r.place_basis) == (
        "Russian forces",
        "",
        0.85,
        "sentence",
    )
    assert r.correction_id is None and r.geoparser_type is None


def test_filter_counts_reported_events_only_by_default(store):
    fill(store)
    q = Query(event_types=("shelling", "armed_clash", "talks"))
    counts = {pc.place.name: (pc.mentions, pc.articles) for pc in store.place_counts(q)}
    # The planned attack on Kharkiv and the denied talks in Kyiv do not count.
    assert counts == {"Kharkiv": (2, 2)}
    every = replace(q, event_statuses=())
    counts = {pc.place.name: (pc.mentions, pc.articles) for pc in store.place_counts(every)}
    assert counts == {"Kharkiv": (3, 2), "Kyiv": (1, 1)}
    assert store.event_type_counts(Query()) == {"shelling": 2, "protest": 1}
    assert store.event_type_counts(Query(event_statuses=("planned",))) == {"armed_clash": 1}
    assert store.count_events(q) == 2 and store.count_events(q, KYIV.key) == 0
    assert _shape(store.events(Query())) == [
        ("b", "shelling", "reported", "Kharkiv"),
        ("b", "protest", "reported", "Kyiv"),
        ("a", "shelling", "reported", "Kharkiv"),
    ]
    assert store.dominant_event_types(Query()) == {
        KHARKIV.key: ("shelling", 2),
        KYIV.key: ("protest", 1),
    }
    assert store.event_timeline(KHARKIV.key, Query()) == [
        (date(2024, 3, 1), "shelling", 1),
        (date(2024, 3, 2), "shelling", 1),
    ]


def test_passages_under_an_event_filter_lie_in_such_an_events_sentence(store):
    fill(store)
    q = Query(event_types=("shelling",))
    rows = store.passages(KHARKIV.key, q)
    # Only the Kharkiv of the shelling sentence, not the one of the planned attack.
    assert [(p.article.id, p.start) for p in rows] == [("b", 18), ("a", 23)]
    assert store.count_passages(KHARKIV.key, q) == (2, 2)
    assert store.timeline(KHARKIV.key, q) == [(date(2024, 3, 1), 1), (date(2024, 3, 2), 1)]
    assert store.passages(KYIV.key, q) == []
    assert store.count_passages(KHARKIV.key, Query()) == (3, 2)


def test_a_near_duplicate_group_counts_once(store):
    fill(store)
    art, mentions, events = article_a("a2", source="copy", published=date(2024, 3, 3))
    art = replace(art, text=TEXT_A + " More.")
    res = store.save(art, mentions, V1, "t", events=events)
    assert res.near_duplicate_of == "a"
    q = Query(event_types=("shelling",))
    assert [(pc.place.name, pc.mentions, pc.articles) for pc in store.place_counts(q)] == [
        ("Kharkiv", 2, 2)
    ]
    assert store.count_events(Query()) == 3
    assert store.event_type_counts(Query()) == {"shelling": 2, "protest": 1}


def test_resaving_replaces_events_and_a_non_english_article_has_none(store):
    fill(store)
    art, mentions, events = article_a()
    store.save(art, mentions, "v2", "t", events=events[:1])
    assert len(store.events_of("a")) == 1
    ru = Article("ru", None, "R", date(2024, 3, 1), "tass", "ru", "Обстрел Харькова.")
    store.save(ru, [], "v2", "t")
    assert store.events_of("ru") == []


def test_an_event_outside_the_text_is_refused(store):
    art, mentions, events = article_a()
    bad = replace(events[0], end=len(TEXT_A) + 5)
    with pytest.raises(ValueError, match="outside"):
        store.save(art, mentions, V1, "t", events=[bad])
    assert store.article("a") is None


def test_both_back_ends_answer_alike(tmp_path, pg_url):
    a, b = Store(tmp_path / "x.sqlite"), Store(pg_url)
    for s in (a, b):
        fill(s)
        art, mentions, events = article_a("a2", source="copy", published=None)
        s.save(replace(art, text=TEXT_A + " More."), mentions, V1, "t", events=events)
    for q in (
        Query(),
        Query(event_types=("shelling",)),
        Query(event_types=("talks", "armed_clash"), event_statuses=()),
        Query(event_statuses=("denied", "planned")),
        Query(include_undated=False),
        Query(sources=("daily",), event_types=("protest", "shelling")),
        Query(text="Artillery", event_types=("shelling",)),
        Query(countries=("UA",), kinds=("city",)),
        Query(bbox=(49.0, 35.0, 51.0, 37.0)),
    ):
        assert a.place_counts(q) == b.place_counts(q), q
        assert a.event_type_counts(q) == b.event_type_counts(q), q
        assert _ids(a.events(q)) == _ids(b.events(q)), q
        assert a.count_events(q) == b.count_events(q), q
        assert a.dominant_event_types(q) == b.dominant_event_types(q), q
        assert a.event_timeline(None, q) == b.event_timeline(None, q), q
        for key in (KHARKIV.key, KYIV.key):
            assert _ids(a.events(q, key)) == _ids(b.events(q, key)), q
            assert a.passages(key, q) == b.passages(key, q), q
            assert a.count_passages(key, q) == b.count_passages(key, q), q
            assert a.timeline(key, q) == b.timeline(key, q), q
            assert a.event_timeline(key, q) == b.event_timeline(key, q), q
    assert _ids(a.events_of("a")) == _ids(b.events_of("a"))
    a.close()
    b.close()


def _ids(rows):
    """Rows without their database ids (each back end numbers its own)."""
    return [replace(r, id=0) for r in rows]


# -- corrections ------------------------------------------------------------------------
def _correction(action, scope, trigger="shelled", **kw):
    start, end = _at(TEXT_A, trigger)
    return Correction(
        action=action,
        scope=scope,
        name=trigger,
        article_id="a" if scope in ("mention", "article") else None,
        source="wire" if scope == "source" else None,
        start=start if scope == "mention" else None,
        end=end if scope == "mention" else None,
        note="checked",
        **kw,
    )


def _types(store, aid):
    return [r.type for r in store.events_of(aid)]


@pytest.mark.parametrize("scope", ["mention", "article", "source", "everywhere"])
@pytest.mark.parametrize("action", ["event_type", "not_event"])
def test_an_event_correction_applies_survives_reingest_and_undoes(store, scope, action):
    fill(store)
    kw = {"event_type": "air_strike"} if action == "event_type" else {}
    c = store.add_correction(_correction(action, scope, **kw))
    assert c.event_type == kw.get("event_type")
    want = ["air_strike", "talks", "armed_clash"] if kw else ["talks", "armed_clash"]
    assert _types(store, "a") == want
    other = ["air_strike", "protest"] if kw else ["protest"]
    assert _types(store, "b") == (other if scope == "everywhere" else ["shelling", "protest"])
    if kw:
        row = store.events_of("a")[0]
        assert (row.correction_id, row.correction_note, row.geoparser_type) == (
            c.id,
            "checked",
            "shelling",
        )
    # Re-ingest (a new geoparser version): the correction applies again.
    art, mentions, events = article_a()
    store.save(art, mentions, "v2", "t", events=events)
    assert _types(store, "a") == want
    assert c.describe() in {x.describe() for x in store.corrections()}
    assert store.undo_correction(c.id)
    assert _types(store, "a") == ["shelling", "talks", "armed_clash"]
    assert _types(store, "b") == ["shelling", "protest"]


def test_event_corrections_validate_and_round_trip(store):
    from geo import corrections

    with pytest.raises(ValueError, match="event type"):
        store.add_correction(_correction("event_type", "article", event_type="bombardment"))
    with pytest.raises(ValueError, match="event type"):
        store.add_correction(_correction("event_type", "article"))
    fill(store)
    c = store.add_correction(_correction("event_type", "everywhere", event_type="air_strike"))
    assert c.describe() == "event 'shelled' → air_strike, everywhere"
    back = corrections.from_json(corrections.to_json(c))
    assert back.event_type == "air_strike" and back.action == "event_type"
    assert store.import_corrections([back]) == (0, 1)
    assert store.correction_reach(replace(c, uid="", id=None)) == 2


def test_a_place_correction_moves_the_event(store):
    fill(store)
    store.add_correction(Correction("place", "mention", "Kharkiv", KYIV, "a", start=23, end=30))
    assert store.events_of("a")[0].place == KYIV
    store.add_correction(Correction("not_place", "article", "Kharkiv", None, "b"))
    assert store.events_of("b")[0].place is None


# -- removal, restore, migration --------------------------------------------------------
def test_removal_and_restore_carry_events_and_their_corrections(store):
    fill(store)
    store.add_correction(_correction("event_type", "article", event_type="air_strike"))
    batch = store.remove(["a"])
    assert store.events_of("a") == [] and store.count_events(Query()) == 2
    assert store.restore(batch) == 1
    assert _types(store, "a") == ["air_strike", "talks", "armed_clash"]


def test_migrate_copies_events(tmp_path, store):
    fill(store)
    store.add_correction(_correction("not_event", "article"))
    target = Store(tmp_path / "copy.sqlite")
    report = migrate(store, target)
    assert report.events == 5
    assert _ids(target.events_of("a")) == [replace(r, id=0) for r in store.events_of("a")]
    assert target.count_events(Query(event_statuses=())) == 4
    target.close()


# -- the pipeline -----------------------------------------------------------------------
REPORTS = [
    "Russian forces shelled Kharkiv overnight, killing two civilians, the regional governor"
    " said. Rescue teams worked through the morning.",
    "Russian artillery shelled residential areas of Kharkiv on Tuesday. Officials in Kyiv said"
    " talks with Moscow were not planned.",
]


def _reports(tmp_path, copies: int = 1):
    """The two reports (and `copies` - 1 variants of each) as one JSONL file."""
    import json

    path = tmp_path / "reports.jsonl"
    with path.open("w") as fh:
        for n in range(copies):
            for i, text in enumerate(REPORTS):
                rec = {
                    "id": f"r{i}-{n}",
                    "title": f"Report {i}",
                    "published": f"2024-05-0{i + 1}",
                    "source": "test",
                    "text": text + (f" Update {n}." if n else ""),
                }
                fh.write(json.dumps(rec) + "\n")
    return path


@pytest.mark.parametrize("workers", [1, 2])
def test_an_ingest_stores_shelling_at_kharkiv(tmp_path, tmp_store, geoparser, workers):
    from geo import pipeline

    copies = 1 if workers == 1 else pipeline.MIN_PARALLEL // 2  # enough to use the workers
    report = pipeline.ingest([_reports(tmp_path, copies)], tmp_store, geoparser, workers=workers)
    assert report.added == 2 * copies and not report.failed
    kharkiv = tmp_store.place_counts(Query(event_types=("shelling",)))[0]
    assert (kharkiv.place.name, kharkiv.mentions) == ("Kharkiv", 2 * copies)
    rows = tmp_store.events_of("r1-0")
    assert [(r.type, r.status, r.place and r.place.name) for r in rows] == [
        ("shelling", "reported", "Kharkiv"),
        ("talks", "negated", "Moscow"),
    ]
    assert rows[0].article.text[rows[0].start : rows[0].end] == "shelled"
    # The stored events are those of a fresh parse.
    art = tmp_store.article("r0-0")
    ((_, mentions, events, _),) = geoparser.parse_full([art])
    assert [(e.type, e.start, e.status) for e in events] == [
        (r.type, r.start, r.status) for r in tmp_store.events_of("r0-0")
    ]


def test_an_article_another_recogniser_reads_has_no_events(tmp_path, tmp_store, geoparser):
    from geo import pipeline

    text = "Российские войска обстреляли Харьков ночью, сообщил губернатор области."
    ru = Article("ru1", None, "R", date(2024, 5, 1), "tass", "ru", text)
    pipeline.ingest_articles([ru], tmp_store, geoparser, "feed", workers=1)
    assert tmp_store.article("ru1").language == "ru"
    assert tmp_store.events_of("ru1") == []


def test_precomputed_results_carry_events(tmp_path, tmp_store, geoparser):
    import gzip
    import json

    from geo import pipeline

    src = _reports(tmp_path)
    out = tmp_path / "pre.jsonl.gz"
    assert pipeline.write_precomputed(geoparser, [src], out) == 2
    pre = pipeline.load_precomputed(out)
    report = pipeline.ingest(
        [src], tmp_store, lambda: pytest.fail("should not parse"), precomputed=pre
    )
    assert report.added == 2
    fresh = Store(tmp_path / "fresh.sqlite")
    pipeline.ingest([src], fresh, geoparser, workers=1)
    for aid in ("r0-0", "r1-0"):
        assert _ids(tmp_store.events_of(aid)) == _ids(fresh.events_of(aid))
    fresh.close()
    # A file written before events were stored: its articles are parsed.
    old = tmp_path / "old.jsonl.gz"
    with gzip.open(out, "rt") as fh, gzip.open(old, "wt") as w:
        w.write(fh.readline())
        for line in fh:
            rec = json.loads(line)
            del rec["events"]
            w.write(json.dumps(rec) + "\n")
    assert len(pipeline.load_precomputed(old)) == 0


def test_geoparse_output_carries_events(geoparser):
    from geo.contract import article_json, event_from_json

    art = Article("x", None, "X", date(2024, 5, 1), "test", "en", REPORTS[0])
    ((_, mentions, events, _),) = geoparser.parse_full([art])
    rec = article_json(art, mentions, events)
    assert rec["events"][0]["type"] == "shelling"
    assert rec["events"][0]["place_start"] == REPORTS[0].index("Kharkiv")
    assert [event_from_json(e, mentions) for e in rec["events"]] == events


def test_the_cli_lists_stored_events_by_type_and_date(sample_db, tmp_path, capsys):
    import csv
    import shutil

    from geo.__main__ import main

    db = tmp_path / "s.sqlite"
    shutil.copy(sample_db, db)
    out = tmp_path / "shelling.csv"
    args = ["events", "--stored", "--db", str(db), "--type", "shelling"]
    assert (
        main([*args, "--from", "2022-03-01", "--to", "2022-03-31", "--predictions", str(out)]) == 0
    )
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    store = Store(db)
    q = Query(start=date(2022, 3, 1), end=date(2022, 3, 31), event_types=("shelling",))
    assert len(rows) == store.count_events(q) > 0
    assert capsys.readouterr().err.strip() == f"{len(rows):,} events"
    assert {r["type"] for r in rows} == {"shelling"} and {r["status"] for r in rows} == {"reported"}
    assert all("2022-03-01" <= r["published"] <= "2022-03-31" for r in rows)
    assert all(r["quote"] for r in rows)
    # Denied ones too, to stdout.
    assert main([*args, "--status", "reported", "--status", "denied"]) == 0
    assert {r["status"] for r in csv.DictReader(capsys.readouterr().out.splitlines())} <= {
        "reported",
        "denied",
    }
    # Mistakes are one line each, exit 2.
    assert main([*args[:-1], "shellingg"]) == 2
    assert "unknown event type 'shellingg'; known: armed_clash" in capsys.readouterr().err
    assert main([*args, "--from", "March"]) == 2
    assert "unreadable publication date 'March'" in capsys.readouterr().err
    store.close()
