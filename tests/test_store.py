import json
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.articles import text_id
from geo.errors import StoreError
from geo.models import Article, Correction, Mention, Place
from geo.store import APPLICATION_ID, SCHEMA_STEPS, FeedState, Query, Store
from geo.store.postgres import PostgresStore
from geo.store.sqlite_schema import FTS_TRIGGERS_9, INDEXED_SEQ

KYIV = Place(703448, "Kyiv", "city", 50.45, 30.52, "UA")
UA = Place(690791, "Ukraine", "country", 49.0, 32.0, "UA")


@pytest.fixture(params=["sqlite", "postgresql"])
def tmp_store(request, tmp_path) -> Store:
    """The same tests over both back ends: a SQLite file, and a PostgreSQL database."""
    if request.param == "sqlite":
        store = Store(tmp_path / "test.sqlite")
    else:
        store = Store(request.getfixturevalue("pg_url"))
    yield store
    store.close()


def art(
    aid="a1",
    text="Kyiv is the capital of Ukraine.",
    published=date(2022, 3, 1),
    url="https://x.org/1",
    source="S1",
):
    return Article(aid, url, f"Title {aid}", published, source, "en", text)


def mentions_for(a: Article):
    out = []
    for name, place in (("Kyiv", KYIV), ("Ukraine", UA)):
        i = a.text.find(name)
        if i >= 0:
            out.append(Mention(a.id, i, i + len(name), name, "name", place, "test"))
    return out


def test_save_and_query(tmp_store):
    a = art()
    assert tmp_store.save(a, mentions_for(a), "v1", "t").status == "added"
    counts = tmp_store.place_counts(Query())
    assert {(c.place.name, c.mentions) for c in counts} == {("Kyiv", 1), ("Ukraine", 1)}
    (p,) = tmp_store.passages(KYIV.key, Query())
    assert p.article == a and a.text[p.start : p.end] == "Kyiv"
    assert tmp_store.article("a1") == a


def test_same_text_or_url_is_not_duplicated(tmp_store):
    a = art()
    tmp_store.save(a, mentions_for(a), "v1", "t")
    copy = tmp_store.save(art(aid="other-id"), mentions_for(a), "v1", "t")
    assert (copy.status, copy.article_id) == ("duplicate", "a1")
    changed = art(text="Kyiv was quiet.")  # same URL, new text: an update
    assert tmp_store.save(changed, mentions_for(changed), "v1", "t").status == "updated"
    assert tmp_store.counts()["articles"] == 1
    assert tmp_store.save(changed, mentions_for(changed), "v2", "t").status == "updated"
    assert list(tmp_store.stale_articles("v3")) == [changed]


@pytest.fixture
def three_dates(tmp_store):
    """Kyiv in articles of 1 March, 1 May and no date."""
    for a in (
        art("a1"),
        art("a2", url=None, text="Kyiv again.", published=date(2022, 5, 1)),
        art("a3", url=None, text="Kyiv, undated.", published=None),
    ):
        tmp_store.save(a, mentions_for(a), "v1", "t")
    return tmp_store


def test_date_filter_and_undated(three_dates):
    tmp_store = three_dates
    q = Query(start=date(2022, 4, 1), end=date(2022, 6, 1))
    assert [c.mentions for c in tmp_store.place_counts(q) if c.place == KYIV] == [2]
    q = Query(start=date(2022, 4, 1), end=date(2022, 6, 1), include_undated=False)
    assert [c.mentions for c in tmp_store.place_counts(q) if c.place == KYIV] == [1]
    assert tmp_store.date_bounds() == (date(2022, 3, 1), date(2022, 5, 1))
    assert tmp_store.counts()["undated"] == 1


def test_source_kind_text_filters(tmp_store):
    a1, a2 = art("a1", source="S1"), art("a2", url=None, text="Ukraine only.", source="S2")
    for a in (a1, a2):
        tmp_store.save(a, mentions_for(a), "v1", "t")
    names = lambda q: {c.place.name for c in tmp_store.place_counts(q)}  # noqa: E731
    assert names(Query(sources=("S2",))) == {"Ukraine"}
    assert names(Query(kinds=("city",))) == {"Kyiv"}
    assert names(Query(text="capital")) == {"Kyiv", "Ukraine"}
    assert names(Query(text="only")) == {"Ukraine"}
    assert names(Query(text="'; DROP TABLE article; --")) == set()
    assert tmp_store.counts()["articles"] == 2


def test_demonyms_hidden_unless_asked(tmp_store):
    a = art(text="Russian troops left.")
    ru = Place(2017370, "Russia", "country", 60, 100, "RU")
    tmp_store.save(a, [Mention(a.id, 0, 7, "Russian", "demonym", ru, "")], "v1", "t")
    assert tmp_store.place_counts(Query()) == []
    assert tmp_store.place_counts(Query(include_demonyms=True))[0].place == ru


def test_failed_save_rolls_back(tmp_store):
    a = art()
    tmp_store.save(a, mentions_for(a), "v1", "t")
    before = tmp_store.revision()
    b = art("b", url=None, text="Kyiv text.")
    bad = [Mention("b", 0, 4, "Nope", "name", KYIV, "")]  # offsets do not match the text
    with pytest.raises(ValueError):
        tmp_store.save(b, bad, "v1", "t")
    assert tmp_store.counts()["articles"] == 1 and tmp_store.revision() == before


def test_a_batch_commits_once_and_a_failed_write_inside_it_is_undone_alone(tmp_store):
    """`batch()` groups saves into one commit (SQLite) or changes nothing (PostgreSQL); a
    transaction inside it that fails is undone without the saves around it."""
    other = Store(tmp_store.path)  # another connection, as another session would have
    batched = isinstance(tmp_store.path, Path)
    with tmp_store.batch():
        a = art()
        tmp_store.save(a, mentions_for(a), "v1", "t")
        # Not committed yet on SQLite: another connection does not see it.
        assert other.counts()["articles"] == (0 if batched else 1)
        with pytest.raises(RuntimeError), tmp_store.transaction() as con:
            con.execute("INSERT INTO failure(source, reason, at) VALUES ('x', 'y', '2022-01-01')")
            raise RuntimeError("a failed write")
        b = art("b", url=None, text="Kyiv text.")
        with pytest.raises(ValueError):  # refused before it writes anything
            tmp_store.save(b, [Mention("b", 0, 4, "Nope", "name", KYIV, "")], "v1", "t")
        c = art("c", url=None, text="Ukraine text.")
        tmp_store.save(c, mentions_for(c), "v1", "t")
    assert other.counts()["articles"] == 2
    assert other.con().execute("SELECT COUNT(*) FROM failure").fetchone()[0] == 0
    assert {m.text for m in other.mentions_of("c")} == {"Ukraine"}
    # An exception out of the batch undoes all of it.
    with pytest.raises(KeyError), tmp_store.batch():
        d = art("d", url=None, text="Kyiv again.")
        tmp_store.save(d, mentions_for(d), "v1", "t")
        raise KeyError("stop")
    assert other.counts()["articles"] == (2 if batched else 3)
    other.close()


def test_newer_schema_is_refused(tmp_path):
    p = tmp_path / "new.sqlite"
    con = sqlite3.connect(p)
    con.execute("PRAGMA user_version = 99")
    con.close()
    with pytest.raises(StoreError, match="newer version"):
        Store(p)


def test_not_a_database(tmp_path):
    p = tmp_path / "junk.sqlite"
    p.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError):
        Store(p)


def test_pragmas(tmp_path):
    con = Store(tmp_path / "test.sqlite").con()
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("PRAGMA foreign_keys").fetchone()[0] == 1


# No deadline: each example lays out a new database, whose time varies with the machine's load.
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    title=st.text(min_size=1, max_size=30),
    text=st.text(min_size=1, max_size=200).filter(lambda t: t.strip()),
    published=st.one_of(st.none(), st.dates()),
)
def test_stored_rows_read_back_equal(tmp_path_factory, title, text, published):
    store = Store(tmp_path_factory.mktemp("h") / "s.sqlite")
    a = Article("id", None, title, published, "src", "en", text)
    m = Mention("id", 0, 1, text[0], "name", KYIV, "r")
    store.save(a, [m], "v1", "t")
    assert store.article("id") == a
    assert store.mentions_of("id") == [m]


def test_timeline_and_passage_count(three_dates):
    tmp_store = three_dates
    assert tmp_store.timeline(KYIV.key, Query()) == [(date(2022, 3, 1), 1), (date(2022, 5, 1), 1)]
    assert tmp_store.count_passages(KYIV.key, Query()) == (3, 3)
    later = Query(start=date(2022, 4, 1), include_undated=False)
    assert tmp_store.count_passages(KYIV.key, later) == (1, 1)


# -- files that are not ours ---------------------------------------------------------------
ROOT = Path(__file__).resolve().parent.parent


def foreign_db(path: Path, *, app_id: int = 0, version: int = 0, wal: bool = False) -> bytes:
    """Another application's SQLite file; returns its bytes."""
    con = sqlite3.connect(path)
    if wal:
        con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE note(id INTEGER PRIMARY KEY, body TEXT)")
    con.execute("INSERT INTO note(body) VALUES ('keep me')")
    con.execute(f"PRAGMA application_id = {app_id}")
    con.execute(f"PRAGMA user_version = {version}")
    con.commit()
    con.close()
    return path.read_bytes()


@pytest.mark.parametrize(
    "kind",
    [
        {},
        {"version": 2},  # one of our old schema numbers, but not our tables
        {"version": 99},
        {"app_id": 0x12345678},
        {"app_id": 0x12345678, "version": 1, "wal": True},
        {"wal": True},
    ],
)
def test_another_applications_database_is_refused_and_untouched(tmp_path, kind):
    p = tmp_path / "theirs.sqlite"
    before = foreign_db(p, **kind)
    with pytest.raises(StoreError, match="another application"):
        Store(p)
    assert p.read_bytes() == before
    assert sorted(f.name for f in tmp_path.iterdir()) == ["theirs.sqlite"]  # no -wal, -shm


def test_an_empty_sqlite_file_is_taken(tmp_path):
    p = tmp_path / "empty.sqlite"
    sqlite3.connect(p).execute("VACUUM").connection.close()
    store = Store(p)
    assert store.con().execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


def test_new_files_are_marked_and_fully_migrated(tmp_path):
    con = Store(tmp_path / "test.sqlite").con()
    assert con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert con.execute("PRAGMA user_version").fetchone()[0] == len(SCHEMA_STEPS)


def test_newer_marked_database_is_refused_untouched(tmp_path):
    p = tmp_path / "future.sqlite"
    Store(p).close()
    con = sqlite3.connect(p)
    con.execute(f"PRAGMA user_version = {len(SCHEMA_STEPS) + 1}")
    con.close()
    before = p.read_bytes()
    with pytest.raises(StoreError, match="newer version"):
        Store(p)
    assert p.read_bytes() == before


def old_database(path: Path, version: int) -> None:
    """A Conflict Map file as schema `version` (1 or 2) left it: unmarked, with some rows."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("BEGIN")
    for step in SCHEMA_STEPS[:version]:
        for stmt in step.split(";"):
            if stmt.strip() and "application_id" not in stmt:  # not yet marked back then
                con.execute(stmt)
    sample = next(iter(_sample_texts()))
    con.execute(
        "INSERT INTO article VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (
            "old",
            "https://WWW.Example.org/a/?utm_source=x",
            "T",
            "2022-03-01",
            "S",
            "en",
            sample,
            text_id(sample),
            "v0",
            "t",
            "now",
        ),
    )
    con.execute(
        "INSERT INTO place VALUES (?,?,?,?,?,?,?)",
        (KYIV.key, 703448, "Kyiv", "city", 50.45, 30.52, "UA"),
    )
    con.execute(
        'INSERT INTO mention(article_id, start, "end", text, mention_type, place_key, reason)'
        " VALUES ('old', 0, 1, ?, 'name', ?, '')",
        (sample[0], KYIV.key),
    )
    con.execute("INSERT INTO source_file VALUES ('/x.jsonl', 'sha', 'v0', 'now')")
    con.execute(f"PRAGMA user_version = {version}")
    con.execute("COMMIT")
    con.close()


def _sample_texts() -> list[str]:
    with open(ROOT / "data" / "sample" / "wikinews_gum.jsonl", encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in fh if line.strip()]


@pytest.mark.parametrize("version", [1, 2])
def test_old_unmarked_databases_are_recognised_and_migrated(tmp_path, version):
    p = tmp_path / "old.sqlite"
    old_database(p, version)
    store = Store(p)
    con = store.con()
    assert con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert con.execute("PRAGMA user_version").fetchone()[0] == len(SCHEMA_STEPS)
    assert store.article("old").url == "https://WWW.Example.org/a/?utm_source=x"
    canon = con.execute("SELECT canonical_url FROM article WHERE id='old'").fetchone()[0]
    assert canon == "https://example.org/a"
    assert len(store.mentions_of("old")) == 1
    assert con.execute("SELECT minhash IS NOT NULL FROM article").fetchone()[0] == 1
    # The old save policy could overwrite records: every file is read again once.
    assert not store.file_is_current("/x.jsonl", "sha", "v0")
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []


# -- several processes at once -------------------------------------------------------------
def run_together(script: str, argsets: list[list[str]], timeout: float = 120) -> list[str]:
    """Start one Python process per argument list, release them at once, return their output.

    Each process waits for a "go" file named by its first argument before running `script`.
    """
    go = Path(argsets[0][0])
    prelude = (
        "import os, sys, time\nwhile not os.path.exists(sys.argv[1]):\n    time.sleep(0.001)\n"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", prelude + script, *args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args in argsets
    ]
    time.sleep(1.0)  # let every interpreter start and wait
    go.touch()
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=timeout)
        assert p.returncode == 0, err
        outs.append(out)
    return outs


OPEN_SCRIPT = """
from geo.store import Store
Store(sys.argv[2]).close()
print("opened")
"""


@pytest.mark.parametrize("attempt", range(3))
def test_processes_creating_one_database_at_once(tmp_path, attempt):
    db = tmp_path / "fresh.sqlite"
    go = tmp_path / "go"
    outs = run_together(OPEN_SCRIPT, [[str(go), str(db)] for _ in range(4)])
    assert outs == ["opened\n"] * 4
    store = Store(db)
    assert store.con().execute("PRAGMA user_version").fetchone()[0] == len(SCHEMA_STEPS)
    assert store.con().execute("PRAGMA integrity_check").fetchone()[0] == "ok"


SAVE_SCRIPT = """
from datetime import date
from geo.models import Article, Mention, Place
from geo.store import Store
store = Store(sys.argv[2])
kyiv = Place(703448, "Kyiv", "city", 50.45, 30.52, "UA")
who = sys.argv[3]
for i in range(int(sys.argv[4])):
    text = f"Kyiv report {i} from process {who}."
    a = Article(f"{who}-{i}", "https://example.org/same", "t", date(2022, 3, 1), who, "en", text)
    assert store.save(a, [Mention(a.id, 0, 4, "Kyiv", "name", kyiv, "")], "v1", "t").status == "added"
print("saved")
"""


def test_two_processes_saving_at_once_lose_nothing(tmp_path):
    db = tmp_path / "shared.sqlite"
    go = tmp_path / "go"
    n = 150
    outs = run_together(SAVE_SCRIPT, [[str(go), str(db), who, str(n)] for who in ("cli", "app")])
    assert outs == ["saved\n", "saved\n"]
    store = Store(db)
    assert store.counts()["articles"] == 2 * n
    assert dict(store.sources()) == {"cli": n, "app": n}
    (kyiv,) = store.place_counts(Query())
    assert (kyiv.mentions, kyiv.articles) == (2 * n, 2 * n)


def test_a_held_write_lock_is_waited_for(tmp_path):
    p = tmp_path / "busy.sqlite"
    Store(p).close()
    holder = sqlite3.connect(p, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    threading.Timer(1.0, lambda: holder.execute("COMMIT")).start()
    # SQLite alone would give up after 0.1 s with "database is locked"
    store = Store(p, busy_timeout=0.1, busy_patience=20)
    a = art()
    assert store.save(a, mentions_for(a), "v1", "t").status == "added"
    holder.close()


def test_a_lock_held_too_long_is_a_store_error(tmp_path):
    p = tmp_path / "busy.sqlite"
    Store(p).close()
    store = Store(p, busy_timeout=0.05, busy_patience=0.3)
    holder = sqlite3.connect(p, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError, match="locked"):
            store.save(art(), [], "v1", "t")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store.counts()["articles"] == 0


# -- the save policy -----------------------------------------------------------------------
def test_records_sharing_a_url_are_distinct_articles(tmp_store):
    texts = ("Kyiv was shelled.", "Kyiv was quiet.", "Ukraine votes.")
    results = [
        tmp_store.save(a, mentions_for(a), "v1", "t")
        for a in (art(f"r{i}", text=t, url="https://x.org/live") for i, t in enumerate(texts))
    ]
    assert [r.status for r in results] == ["added"] * 3
    assert sorted(tmp_store.article(f"r{i}").text for i in range(3)) == sorted(texts)


def test_same_id_updates_in_place_and_says_what_it_replaced(tmp_store):
    a = art()
    tmp_store.save(a, mentions_for(a), "v1", "t")
    b = art(text="Kyiv was quiet; Ukraine waited.", url="https://x.org/moved")
    res = tmp_store.save(b, mentions_for(b), "v1", "t")
    assert (res.status, res.article_id, res.replaced, res.text_changed) == (
        "updated",
        "a1",
        "a1",
        True,
    )
    assert tmp_store.article("a1") == b and tmp_store.counts()["articles"] == 1
    reparsed = tmp_store.save(b, mentions_for(b), "v2", "t")
    assert (reparsed.status, reparsed.replaced, reparsed.text_changed) == ("updated", "a1", False)
    assert tmp_store.save(b, mentions_for(b), "v2", "t").status == "skipped"


def test_exact_copy_under_another_id_is_stored_once(tmp_store):
    a = art()
    tmp_store.save(a, mentions_for(a), "v1", "t")
    copy = art("copy", url="https://y.org/2", source="S2")
    assert not tmp_store.is_current(copy, "v1")
    assert tmp_store.duplicate_of(copy) == "a1"
    res = tmp_store.save(copy, [], "v1", "t")
    assert (res.status, res.article_id) == ("duplicate", "a1")
    assert tmp_store.is_current(copy, "v1")
    assert tmp_store.save(copy, [], "v1", "t").status == "skipped"
    assert tmp_store.counts()["articles"] == 1
    assert tmp_store.also_published("a1") == [("S2", "https://y.org/2", "Title copy")]
    assert tmp_store.also_published("copy") == [("S1", "https://x.org/1", "Title a1")]


def test_a_copy_whose_original_changes_is_read_again(tmp_store):
    a = art()
    tmp_store.save(a, mentions_for(a), "v1", "t")
    tmp_store.mark_file("/in/b.jsonl", "sha", "v1")
    copy = art("copy", source="S2")
    tmp_store.save(copy, [], "v1", "/in/b.jsonl")
    changed = art(text="Kyiv, a new version.")
    tmp_store.save(changed, mentions_for(changed), "v1", "t")
    # The copy's text is stored nowhere now: its file is read again and it gets its own row.
    assert not tmp_store.file_is_current("/in/b.jsonl", "sha", "v1")
    assert not tmp_store.is_current(copy, "v1")
    assert tmp_store.save(copy, mentions_for(copy), "v1", "/in/b.jsonl").status == "added"
    assert tmp_store.article("copy") == copy


def test_new_version_equal_to_another_article_becomes_its_copy(tmp_store):
    a, b = art("a"), art("b", url=None, text="Kyiv again.")
    for x in (a, b):
        tmp_store.save(x, mentions_for(x), "v1", "t")
    res = tmp_store.save(art("a", text="Kyiv again."), [], "v1", "t")
    assert (res.status, res.article_id, res.replaced, res.text_changed) == (
        "duplicate",
        "b",
        "a",
        True,
    )
    assert tmp_store.article("a") is None and tmp_store.counts()["articles"] == 1
    assert tmp_store.is_current(art("a", text="Kyiv again."), "v1")
    if isinstance(tmp_store, PostgresStore):
        return  # PostgreSQL checks every reference at once
    assert tmp_store.con().execute("PRAGMA foreign_key_check").fetchall() == []


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ops=st.lists(
        st.tuples(
            st.sampled_from("abc"),
            st.sampled_from(["Kyiv one.", "Kyiv two.", "Kyiv 3."]),
            st.sampled_from(["v1", "v2"]),
        ),
        max_size=12,
    )
)
def test_is_current_agrees_with_save(tmp_path_factory, ops):
    """is_current(x) is True exactly when save(x) would change nothing."""
    store = Store(tmp_path_factory.mktemp("h") / "s.sqlite")
    for aid, text, gp in ops:
        a = art(aid, text=text, url=None)
        current = store.is_current(a, gp)
        before = store.revision()
        res = store.save(a, mentions_for(a), gp, "t")
        assert current == (res.status == "skipped")
        assert current == (store.revision() == before)
        assert store.is_current(a, gp)
        texts = [r[0] for r in store.con().execute("SELECT text FROM article")]
        assert len(texts) == len(set(texts))
    assert store.con().execute("PRAGMA foreign_key_check").fetchall() == []
    store.close()


# -- watched feeds -------------------------------------------------------------------------
def test_watched_feeds_and_seen_items(tmp_store):
    url = "https://example.org/feed.rss"
    tmp_store.watch_feed(url, 900)
    (f,) = tmp_store.feeds()
    assert f == FeedState(url, 900, None, 0, None, None, None) and f.due()
    assert tmp_store.seen(url, ["g1", "g2"]) == set()
    tmp_store.mark_seen(url, ["g1", "g2", "g1"])
    tmp_store.mark_seen(url, ["g2", "g3"])
    assert tmp_store.seen(url, ["g1", "g3", "g4"]) == {"g1", "g3"}
    assert tmp_store.seen("https://other.org/feed", ["g1"]) == set()
    assert tmp_store.seen(url, [f"k{i}" for i in range(2000)]) == set()  # many keys at once
    tmp_store.record_poll(url, 3, None, etag='"abc"', last_modified="Wed, 01 Mar 2023 10:00:00 GMT")
    tmp_store.record_poll(url, 2, "timed out")
    (f,) = tmp_store.feeds()
    assert (f.added, f.last_error, f.etag) == (5, "timed out", '"abc"')
    assert f.last_modified == "Wed, 01 Mar 2023 10:00:00 GMT"
    assert f.last_poll is not None and not f.due(f.last_poll + timedelta(seconds=899))
    assert f.due(f.last_poll + timedelta(seconds=900))
    tmp_store.record_poll(url, 0, "")
    assert tmp_store.feeds()[0].last_error is None
    tmp_store.watch_feed(url, 60)  # watching again changes only the interval
    assert (tmp_store.feeds()[0].every_s, tmp_store.feeds()[0].added) == (60, 5)
    tmp_store.unwatch_feed(url)
    assert tmp_store.feeds() == [] and tmp_store.seen(url, ["g1"]) == set()


def test_feed_errors(tmp_store):
    with pytest.raises(ValueError):
        tmp_store.watch_feed("https://example.org/feed", -1)
    with pytest.raises(StoreError, match="not watched"):
        tmp_store.record_poll("https://example.org/feed", 1, None)


def before_schema_12(path: Path, version: int = 11) -> None:
    """Undo schema step 12 (and mark the file `version`): every article in the text index,
    kept there by the step-9 triggers.
    """
    con = sqlite3.connect(path)
    con.execute("INSERT INTO article_fts(article_fts) VALUES ('rebuild')")
    con.executescript(
        f"""
        DROP TRIGGER article_fts_insert; DROP TRIGGER article_fts_update;
        DROP TRIGGER article_fts_delete; DELETE FROM meta WHERE key = '{INDEXED_SEQ}';
        {";".join(FTS_TRIGGERS_9)};
        PRAGMA user_version = {version};
        """
    )
    con.close()


def fts_ids(store: Store, word: str) -> set[str]:
    """The articles the text index finds `word` in, read from the index itself."""
    phrase = '"' + word + '"'
    return {
        r[0]
        for r in store.con().execute(
            "SELECT a.id FROM article a WHERE a.seq IN"
            " (SELECT rowid FROM article_fts WHERE article_fts MATCH ?)",
            (phrase,),
        )
    }


def test_new_articles_enter_the_text_index_at_the_next_search(tmp_path):
    p = tmp_path / "v11.sqlite"
    store = Store(p)
    a = art(aid="old", text="Grain ships left Odesa.", url="https://x.org/old")
    store.save(a, mentions_for(a), "v1", "t")
    store.close()
    before_schema_12(p)  # a file from before: its article is indexed
    store = Store(p)
    assert fts_ids(store, "grain") == {"old"}
    for aid, text in (("new", "A grain deal in Kyiv."), ("gone", "Grain silos near Kyiv.")):
        b = art(aid=aid, text=text, url=f"https://x.org/{aid}")
        store.save(b, mentions_for(b), "v1", "t")
    assert fts_ids(store, "grain") == {"old"}  # not yet: saving does not index
    store.remove(["gone"])  # never indexed: its removal leaves the index alone
    # An article changed before it was indexed is indexed with its new text.
    store.save(art(aid="new", text="A grain deal in Lviv.", url="https://x.org/new"), [], "v1", "t")
    store.article_rows(Query(text="GRAIN"))  # a text search indexes them first
    assert fts_ids(store, "grain") == {"old", "new"} and fts_ids(store, "lviv") == {"new"}
    assert fts_ids(store, "kyiv") == set()
    # Once indexed, changes and removals reach the index at once, as before.
    store.save(art(aid="old", text="Ships left Odesa.", url="https://x.org/old"), [], "v1", "t")
    batch = store.remove(["new"])
    assert fts_ids(store, "grain") == set()
    # The removed article comes back under a new number above the watermark.
    assert store.restore(batch) == 1
    store.article_rows(Query(text="grain"))
    assert fts_ids(store, "grain") == {"new"}
    con = store.con()
    assert con.execute("INSERT INTO article_fts(article_fts) VALUES ('integrity-check')")
    seqs = [r[0] for r in con.execute("SELECT seq FROM article ORDER BY seq")]
    assert len(set(seqs)) == len(seqs) == 2


def before_schema_11(path: Path, version: int = 10) -> None:
    """Undo schema steps 12 and 11 (and mark the file `version`)."""
    before_schema_12(path)
    con = sqlite3.connect(path)
    con.executescript(
        f"""
        DROP TABLE verification; ALTER TABLE mention DROP COLUMN confidence;
        PRAGMA user_version = {version};
        """
    )
    con.close()


def test_a_schema_10_database_gets_confidences_and_confirmations(tmp_path):
    p = tmp_path / "v10.sqlite"
    store = Store(p)
    a = art(aid="k", text="Shelling near Kyiv.")
    store.save(a, mentions_for(a), "v1", "t")
    store.close()
    before_schema_11(p)
    store = Store(p)
    assert store.con().execute("PRAGMA user_version").fetchone()[0] == len(SCHEMA_STEPS)
    # Mentions stored before confidences have none: sure, never hollow.
    assert store.con().execute("SELECT confidence FROM mention").fetchall() == [(None,)]
    assert store.doubtful_places(Query()) == {} and store.confirmed_places() == {}
    store.confirm_place(KYIV)
    assert store.confirmed_places() == {KYIV.key: "Kyiv"}


def before_schema_10(path: Path, version: int = 9) -> None:
    """Undo schema steps 11 and 10 (and mark the file `version`)."""
    before_schema_11(path)
    con = sqlite3.connect(path)
    con.executescript(
        f"""
        DROP TABLE event; ALTER TABLE correction DROP COLUMN event_type;
        PRAGMA user_version = {version};
        """
    )
    con.close()


def test_a_schema_9_database_gets_events_and_keeps_its_corrections(tmp_path):
    p = tmp_path / "v9.sqlite"
    store = Store(p)
    a = art(aid="k", text="Shelling near Kyiv.")
    store.save(a, mentions_for(a), "v1", "t")
    store.add_correction(Correction("not_place", "article", "Kyiv", None, "k"))
    store.close()
    before_schema_10(p)
    store = Store(p)
    assert [c.action for c in store.corrections()] == ["not_place"]
    assert store.events_of("k") == []
    assert store.con().execute("PRAGMA user_version").fetchone()[0] == len(SCHEMA_STEPS)


def before_schema_9(path: Path, version: int = 8) -> None:
    """Undo schema step 9 (and mark the file `version`)."""
    before_schema_10(path)
    con = sqlite3.connect(path)
    con.executescript(
        f"""
        DROP TRIGGER article_fts_insert; DROP TRIGGER article_fts_update;
        DROP TRIGGER article_fts_delete; DROP TABLE article_fts; DROP INDEX article_seq;
        ALTER TABLE article DROP COLUMN seq;
        PRAGMA user_version = {version};
        """
    )
    con.close()


def test_a_schema_8_database_gets_its_text_index(tmp_path):
    p = tmp_path / "v8.sqlite"
    store = Store(p)
    for aid, text in (("g", "Grain ships left Kyiv."), ("s", "Shelling near Kyiv.")):
        a = art(aid=aid, text=text, url=f"https://x.org/{aid}")
        store.save(a, mentions_for(a), "v1", "t")
    store.close()
    before_schema_9(p)
    store = Store(p)
    assert store.article_rows(Query(text="GRAIN SHIPS"))[0] == 1
    # Kept current when articles come, change and go.
    store.save(art(aid="n", text="New grain deal for Kyiv.", url="https://x.org/n"), [], "v1", "t")
    store.save(art(aid="g", text="Ships left Kyiv.", url="https://x.org/g"), [], "v1", "t")
    assert [r[0] for r in store.article_rows(Query(text="grain"))[1]] == []  # no places saved
    assert {r[0] for r in store.con().execute(
        "SELECT a.id FROM article a WHERE a.seq IN"
        " (SELECT rowid FROM article_fts WHERE article_fts MATCH '\"grain\"')"
    )} == {"n"}  # fmt: skip
    store.remove(["n"])
    assert store.con().execute(
        "SELECT COUNT(*) FROM article_fts WHERE article_fts MATCH '\"grain\"'"
    ).fetchone() == (0,)


def before_schema_8(path: Path, version: int = 7) -> None:
    """Undo schema steps 9 and 8 (and mark the file `version`) as far as a test needs."""
    before_schema_9(path)
    con = sqlite3.connect(path)
    con.executescript(
        f"""
        DROP TABLE correction; DROP TABLE removed;
        DROP INDEX mention_text; DROP INDEX mention_correction;
        ALTER TABLE mention DROP COLUMN auto_place_key;
        ALTER TABLE mention DROP COLUMN correction;
        ALTER TABLE mention DROP COLUMN added;
        PRAGMA user_version = {version};
        """
    )
    con.close()


def back_to_schema_6(path: Path) -> None:
    """The file looks as schema 6 left it, as far as the step-7 test needs."""
    before_schema_8(path, 6)


def test_fetched_pages_take_the_id_of_their_canonical_url(tmp_path):
    from geo.dedup import url_id

    p = tmp_path / "v6.sqlite"
    Store(p).close()
    back_to_schema_6(p)
    store = Store(p)
    url = "https://www.example.org/news/1/?utm_source=feed"
    a = Article(text_id(url), url, "Page", date(2022, 3, 1), "example.org", "en", "Kyiv today.")
    b = art("rec-1")  # an id of its own: kept
    for x in (a, b):
        store.save(x, mentions_for(x), "v1", "t")
    store.close()
    back_to_schema_6(p)
    store = Store(p)
    new_id = url_id("https://example.org/news/1")
    assert url_id(url) == new_id != a.id
    assert store.article(a.id) is None and store.article(new_id).url == url
    assert [m.text for m in store.mentions_of(new_id)] == ["Kyiv"]
    assert store.article("rec-1") == b
    assert store.con().execute("PRAGMA foreign_key_check").fetchall() == []
    # A re-fetch under another spelling of the URL updates that article.
    refetched = Article(
        url_id("https://example.org/news/1#top"), url, "Page", None, "x", "en", "Kyiv."
    )
    assert store.save(refetched, [], "v1", url).status == "updated"


def test_signatures_of_another_kind_are_recomputed(tmp_store):
    from geo import dedup

    tmp_store.con().execute("UPDATE meta SET value='older' WHERE key='minhash'")
    before = tmp_store.revision()
    tmp_store.close()
    where = getattr(tmp_store, "url", tmp_store.path)
    store = Store(where)
    kind = "SELECT value FROM meta WHERE key='minhash'"
    assert store.con().execute(kind).fetchone() == (dedup.SIGNATURE_KIND,)
    assert store.revision() == before + 1  # groups may have changed
    assert Store(where).revision() == before + 1  # done once


def test_text_filter_takes_comma_separated_terms(tmp_store):
    for aid, text in (
        ("g", "Grain ships left Kyiv."),
        ("s", "Shelling near Kyiv."),
        ("x", "Kyiv."),
    ):
        a = art(aid=aid, text=text, url=f"https://x.org/{aid}")
        tmp_store.save(a, mentions_for(a), "v1", "t")
    (kyiv,) = tmp_store.place_counts(Query(text="grain, SHELLING"))
    assert kyiv.articles == 2
    assert tmp_store.place_counts(Query(text="grain shelling")) == []  # one phrase
    assert tmp_store.place_counts(Query(text=" , ")) == tmp_store.place_counts(Query())


# -- files the store may not write ----------------------------------------------------------


def _as_unprivileged(fn) -> str:
    """fn()'s StoreError message (or "opened"), run as an ordinary user.

    Root ignores permission bits, so under root fn runs in a forked child as `nobody`.
    """
    import os
    import traceback

    def run() -> str:
        try:
            fn()
        except StoreError as err:
            return f"StoreError: {err}"
        except Exception as err:  # noqa: BLE001 (reported to the parent as a failure)
            return "".join(traceback.format_exception(err))
        return "opened"

    if os.geteuid() != 0:
        return run()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child)
        os.close(read)
        out = "could not become nobody"
        try:
            os.setgid(65534)
            os.setuid(65534)
            out = run()
        finally:
            os.write(write, out.encode())
            os._exit(0)
    os.close(write)
    data = b"".join(iter(lambda: os.read(read, 65536), b""))
    os.close(read)
    os.waitpid(pid, 0)
    return data.decode()


@pytest.fixture
def open_folder():
    """A folder under /tmp that an ordinary user can reach (tmp_path is root's alone)."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="cm-perm-"))
    folder.chmod(0o777)
    yield folder
    folder.chmod(0o755)
    shutil.rmtree(folder)


def test_a_read_only_database_is_refused_and_left_alone(open_folder):
    db = open_folder / "map.sqlite"
    Store(db).close()
    for extra in open_folder.glob("map.sqlite-*"):
        extra.unlink()
    db.chmod(0o444)
    out = _as_unprivileged(lambda: Store(db))
    assert out.startswith(f"StoreError: database {db} is read-only"), out
    assert sorted(p.name for p in open_folder.iterdir()) == ["map.sqlite"]  # no -wal/-shm


@pytest.mark.parametrize("exists", [True, False])
def test_a_folder_without_write_permission_is_named_as_the_cause(open_folder, exists):
    db = open_folder / "map.sqlite"
    if exists:
        Store(db).close()
        for extra in open_folder.glob("map.sqlite-*"):
            extra.unlink()
        db.chmod(0o666)
    open_folder.chmod(0o755)
    out = _as_unprivileged(lambda: Store(db))
    assert f"its folder {open_folder} is not writable" in out, out
    assert "not a Conflict Map database" not in out
    assert sorted(p.name for p in open_folder.iterdir()) == (["map.sqlite"] if exists else [])


@pytest.mark.parametrize("path", ["/dev/null", "folder"])
def test_a_device_or_folder_is_not_a_database(path, tmp_path):
    target = Path(path) if path.startswith("/") else tmp_path
    journal = Path(f"{target}-journal")
    assert not journal.exists()
    with pytest.raises(StoreError, match="is not a database file"):
        Store(target)
    assert not journal.exists() and not Path(f"{target}-wal").exists()


ODESA = Place(698740, "Odesa", "city", 46.48, 30.73, "UA")
LVIV = Place(702550, "Lviv", "city", 49.84, 24.03, "UA")


def placed(a: Article) -> list[Mention]:
    """Every occurrence of Kyiv, Odesa and Lviv in the article, as name mentions."""
    import re as _re

    out = []
    for place in (KYIV, ODESA, LVIV):
        for m in _re.finditer(place.name, a.text):
            out.append(Mention(a.id, m.start(), m.end(), place.name, "name", place, "t"))
    return sorted(out, key=lambda m: m.start)


def test_places_mentioned_together_count_passages_articles_and_copies_once(tmp_store):
    filler = " ".join(f"district{i} reported calm streets" for i in range(60))
    story = (
        f"Kyiv was shelled overnight and Odesa heard sirens. {filler}. Later Lviv and Kyiv spoke."
    )
    first = art("a1", story, url="https://x.org/1", source="S1")
    copy = art(
        "a2", story.replace("district7", "districtseven"), url="https://y.org/2", source="S2"
    )
    other = art("a3", "Kyiv and Lviv held talks on grain.", url="https://z.org/3", source="S3")
    for a in (first, copy, other):
        tmp_store.save(a, placed(a), "v1", "t")
    assert tmp_store.counts()["near_duplicates"] == 1
    got = {
        t.place.name: (t.passages, t.articles)
        for t in tmp_store.mentioned_together(KYIV.key, Query())
    }
    # The copy adds nothing; Odesa is in a passage of Kyiv's once, Lviv in two, each article once.
    assert got == {"Lviv": (2, 2), "Odesa": (1, 1)}
    assert [t.place.name for t in tmp_store.mentioned_together(KYIV.key, Query())] == [
        "Lviv",
        "Odesa",
    ]
    # Counted over the selection: a source filter keeps one article.
    only = tmp_store.mentioned_together(KYIV.key, Query(sources=("S3",)))
    assert [(t.place.name, t.passages, t.articles) for t in only] == [("Lviv", 1, 1)]
    # A window of a few characters: only the same sentence's neighbours.
    near = tmp_store.mentioned_together(KYIV.key, Query(), chars=40)
    assert {t.place.name: t.passages for t in near} == {"Lviv": 2, "Odesa": 1}
    assert tmp_store.mentioned_together(KYIV.key, Query(), chars=5) == [
        t for t in tmp_store.mentioned_together(KYIV.key, Query(), chars=5) if t.passages == 0
    ]
    assert tmp_store.mentioned_together("gn:0", Query()) == []
