"""The PostgreSQL + PostGIS back end on a throwaway server (tests/pgserver.py): the same
answers as SQLite over the bundled sample, `geo migrate`, PostGIS and full-text indexes, its
schema checks, and concurrent writers from several processes."""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import uuid
from datetime import date
from pathlib import Path

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.__main__ import main
from geo.errors import StoreError
from geo.migrate import migrate
from geo.models import Article, Correction, Mention, Place
from geo.store import Query, Store, haversine_km
from geo.store.postgres import PostgresStore
from geo.store.postgres_schema import PG_SCHEMA_STEPS

KYIV = Place(703448, "Kyiv", "city", 50.45, 30.52, "UA")
ODESA = Place(698740, "Odesa", "city", 46.48, 30.73, "UA")
QUERIES = [
    Query(),
    Query(start=date(2022, 3, 1), end=date(2022, 3, 31)),
    Query(start=date(2022, 3, 1), end=date(2022, 3, 31), include_undated=False),
    Query(text="Mariupol, grain"),
    Query(text="humanitarian corridor"),
    Query(sources=("President of Russia (kremlin.ru)",)),
    Query(kinds=("city",), countries=("UA",)),
    Query(include_demonyms=True),
    Query(bbox=(44.0, 22.0, 53.0, 41.0)),
    Query(bbox=(-60.0, 170.0, 70.0, -170.0)),  # across ±180°
    Query(near=(50.45, 30.52, 300.0)),
]


def _same_answers(a: Store, b: Store) -> None:
    assert a.counts() == b.counts()
    for q in QUERIES:
        counts = a.place_counts(q)
        assert counts == b.place_counts(q), q
        assert a.article_rows(q) == b.article_rows(q), q
        assert a.place_dates(q) == b.place_dates(q), q
        for pc in counts[:3]:
            key = pc.place.key
            assert a.passages(key, q, limit=30) == b.passages(key, q, limit=30), (q, key)
            assert a.timeline(key, q) == b.timeline(key, q), (q, key)
            assert a.count_passages(key, q) == b.count_passages(key, q), (q, key)
            assert a.mentioned_together(key, q) == b.mentioned_together(key, q), (q, key)
    assert a.articles_per_week() == b.articles_per_week()
    assert a.core_dates() == b.core_dates() and a.date_bounds() == b.date_bounds()
    assert a.sources() == b.sources() and a.languages() == b.languages()
    assert a.places_near(KYIV.key, 150) == b.places_near(KYIV.key, 150)


def test_migrate_the_sample_and_get_the_same_answers(sample_db, pg_url, tmp_path, capsys):
    local = tmp_path / "local.sqlite"
    local.write_bytes(Path(sample_db).read_bytes())
    assert main(["migrate", "--from", str(local), "--to", pg_url]) == 0
    assert "1819 articles copied" in capsys.readouterr().out
    sqlite, pg = Store(local), Store(pg_url)
    assert isinstance(pg, PostgresStore)
    _same_answers(sqlite, pg)

    # Again: nothing new is copied and nothing changes.
    revision = pg.revision()
    report = migrate(sqlite, pg)
    assert (report.articles, report.already, report.corrections) == (0, 1819, 0)
    assert pg.counts() == sqlite.counts()

    # A correction and a removal made locally afterwards travel with the next run.
    sqlite.add_correction(Correction("place", "everywhere", "Odessa", ODESA, note="the port"))
    doubtful = sqlite.doubtful_places(Query())
    assert doubtful and pg.doubtful_places(Query()) == pytest.approx(doubtful)
    first = sorted(doubtful)[0]
    sqlite.confirm_place(sqlite.place(first))
    sqlite.set_focus({"UA": 1.0, "RU": 0.5})
    aid = sqlite.articles_of(source="Wikinews (via GUM corpus)")[0]
    sqlite.remove([aid])
    report = migrate(sqlite, pg)
    assert report.corrections == 1 and pg.revision() > revision
    assert [c.note for c in pg.corrections()] == ["the port"]
    assert pg.confirmed_places() == sqlite.confirmed_places()
    assert pg.focus() == {"UA": 1.0, "RU": 0.5}  # the corpus focus goes along
    pg.remove([aid])  # a copy does not delete on the other side: the user removes it there
    _same_answers(sqlite, pg)
    assert [r[1] for r in pg.removed()] == [aid]


def test_schema_version_and_foreign_databases_are_checked(pg_url, pg_server):
    store = Store(pg_url)
    meta = dict(store.con().execute("SELECT key, value FROM meta").fetchall())
    assert meta["schema"] == str(len(PG_SCHEMA_STEPS)) and meta["application"] == "conflict-map"
    store.con().execute("UPDATE meta SET value = '99' WHERE key = 'schema'")
    store.close()
    with pytest.raises(StoreError, match="written by a newer version"):
        Store(pg_url)

    other = pg_server.new_database()
    with psycopg.connect(other, autocommit=True) as con:
        con.execute("CREATE TABLE users(id int)")
    with pytest.raises(StoreError, match="belongs to another application.*users"):
        Store(other)
    with psycopg.connect(other, autocommit=True) as con:
        tables = {
            r[0] for r in con.execute("SELECT tablename FROM pg_tables WHERE schemaname='public'")
        }
    assert tables == {"users", "spatial_ref_sys"}  # nothing of ours was created there

    closed = pg_url.rsplit(":", 1)[0] + ":1/nowhere"
    with pytest.raises(StoreError, match="cannot connect to the database"):
        Store(closed)


def test_nul_characters_are_refused_with_a_clear_error(pg_url):
    store = Store(pg_url)
    a = Article("n", None, "T", None, "S", "en", "Kyiv\x00 again")
    with pytest.raises(ValueError, match="NUL"):
        store.save(a, [], "v1", "t")
    assert store.counts()["articles"] == 0


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    title=st.text(min_size=1, max_size=30).filter(lambda t: "\x00" not in t),
    text=st.text(min_size=1, max_size=200).filter(lambda t: t.strip() and "\x00" not in t),
    published=st.one_of(st.none(), st.dates()),
)
def test_stored_rows_read_back_equal(pg_url, title, text, published):
    store = Store(pg_url)
    aid = f"id{uuid.uuid4().hex}"
    text += f" {aid}"  # one database for all examples: equal texts would be stored once
    a = Article(aid, None, title, published, "src", "en", text)
    m = Mention(aid, 0, 1, text[0], "name", KYIV, "r")
    store.save(a, [m], "v1", "t")
    assert store.article(aid) == a
    assert store.mentions_of(aid) == [m]


def _scatter(store: Store, n: int = 300) -> list[Place]:
    rng = random.Random(7)
    places = [
        Place(None, f"P{i}", "city", rng.uniform(-85, 85), rng.uniform(-180, 180), "XX")
        for i in range(n)
    ]
    for k in range(0, n, 50):
        chunk = places[k : k + 50]
        text = " ".join(p.name for p in chunk)
        mentions, at = [], 0
        for p in chunk:
            at = text.index(p.name, at)
            mentions.append(Mention(f"a{k}", at, at + len(p.name), p.name, "name", p, "t"))
            at += len(p.name)
        store.save(
            Article(f"a{k}", None, "t", date(2022, 1, 1), "s", "en", text), mentions, "v", "o"
        )
    return places


def test_boxes_and_distances_agree_with_sqlite_and_the_sphere(pg_url, tmp_path):
    pg, lite = Store(pg_url), Store(tmp_path / "s.sqlite")
    places = _scatter(pg)
    _scatter(lite)
    rng = random.Random(11)
    for _ in range(40):
        south = rng.uniform(-85, 80)
        box = (south, rng.uniform(-180, 180), rng.uniform(south, 85), rng.uniform(-180, 180))
        got = {c.place.name for c in pg.place_counts(Query(bbox=box))}
        assert got == {c.place.name for c in lite.place_counts(Query(bbox=box))}, box
        s, w, n, e = box
        inside = {
            p.name for p in places
            if s <= p.lat <= n and (w <= p.lon <= e if w <= e else (p.lon >= w or p.lon <= e))
        }  # fmt: skip
        assert got == inside, box
    for p in places[:25]:
        km = rng.uniform(100, 3000)
        want = sorted(
            (round(haversine_km(p.lat, p.lon, o.lat, o.lon), 3), o.name)
            for o in places
            if o is not p and haversine_km(p.lat, p.lon, o.lat, o.lon) <= km
        )
        for store in (pg, lite):
            got = sorted((round(d, 3), c.place.name) for c, d in store.places_near(p.key, km))
            assert got == want, (p, km)


def _plan(store: PostgresStore, table: str, clause: tuple[str, list]) -> str:
    """The plan of the filter alone over its table, with table scans made unattractive."""
    sql, args = clause
    con = store.con()
    con.execute("SET enable_seqscan = off")
    try:
        rows = con.execute(f"EXPLAIN SELECT 1 FROM {table} WHERE {sql}", args).fetchall()
    finally:
        con.execute("RESET enable_seqscan")
    return "\n".join(r[0] for r in rows)


def test_spatial_and_text_filters_use_their_indexes(pg_url):
    store = Store(pg_url)
    _scatter(store, 100)
    assert "place_geom" in _plan(store, "place p", store._bbox_clause(40, 20, 55, 45))
    assert "place_geom" in _plan(store, "place p", store._bbox_clause(-60, 170, 70, -170))
    assert "place_geog" in _plan(store, "place p", store._near_clause(50.45, 30.52, 200))
    assert "article_words" in _plan(store, "article a", store._text_clause("P7"))
    # Plans are made for each query's own values, not once for all (see PostgresStore._open).
    assert store.con().execute("SHOW plan_cache_mode").fetchone() == ("force_custom_plan",)


_WORKER = """
import sys
from datetime import date
from geo.models import Article, Correction, Mention, Place
from geo.store import Store
url, role, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = Store(url)
ODESA = Place(698740, "Odesa", "city", 46.48, 30.73, "UA")
for i in range(n):
    if role == "correct":
        s.add_correction(Correction("not_place", "article", "Odessa", None, "k1", note=f"c{i}"))
    elif role == "remove":
        batch = s.remove(s.articles_of(article="k2"))
        assert batch and s.restore(batch) == 1
    else:
        text = f"Report {role} {i}: Odessa was calm."
        a = Article(f"{role}{i}", None, "t", date(2022, 3, 1), "AP", "en", text)
        s.save(a, [Mention(a.id, text.index("Odessa"), text.index("Odessa") + 6, "Odessa", "name", ODESA, "r")], "v1", "x")
print("ok")
"""


def test_several_processes_write_at_once_and_lose_nothing(pg_url):
    """Two app sessions correcting, one removing and restoring, two ingests: all at once."""
    store = Store(pg_url)
    for aid in ("k1", "k2"):
        text = f"Odessa and Kyiv ({aid})."
        a = Article(aid, None, "t", date(2022, 3, 1), "Kremlin", "en", text)
        store.save(a, [Mention(aid, 0, 6, "Odessa", "name", ODESA, "r")], "v1", "x")
    roles = [("correct", 20), ("correct", 20), ("remove", 15), ("ingestA", 30), ("ingestB", 30)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, pg_url, role, str(n)],
            cwd=Path(__file__).parent.parent,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for role, n in roles
    ]
    reads: list[int] = []

    def read_while_writing() -> None:  # a third session only reads, and is never blocked
        for _ in range(30):
            reads.append(sum(c.mentions for c in store.place_counts(Query())))

    t = threading.Thread(target=read_while_writing)
    t.start()
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0 and out.strip() == "ok", err
    t.join()
    assert len(reads) == 30
    assert len(store.corrections()) == 40
    assert store.counts()["articles"] == 62  # k1, k2 (restored every time) and 60 ingested
    assert store.removed() == []
    assert all(m.place is None for m in store.mentions_of("k1") if m.text == "Odessa")
    assert [m.place for m in store.mentions_of("k2")] == [ODESA]
    bad = store.con().execute(
        "SELECT COUNT(*) FROM mention m JOIN article a ON a.id = m.article_id"
        ' WHERE substr(a.text, m.start + 1, m."end" - m.start) != m.text'
    )
    assert bad.fetchone() == (0,)


def test_a_lost_connection_is_opened_again_between_transactions(pg_url):
    store = Store(pg_url)
    store.save(Article("k", None, "T", None, "S", "en", "Kyiv."), [], "v1", "t")
    with psycopg.connect(pg_url, autocommit=True) as admin:
        pid = store.con().raw.info.backend_pid
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    assert store.counts()["articles"] == 1  # read again on a new connection
    # Lost inside a transaction: the error shows, and nothing of that transaction is kept.
    with pytest.raises(psycopg.OperationalError), store.transaction() as con:
        con.execute("DELETE FROM article")
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (con.raw.info.backend_pid,))
        con.execute("SELECT 1")
    assert store.counts()["articles"] == 1


def test_a_save_reads_only_its_own_articles_mentions(pg_url):
    """The statements every save runs find the article's mentions by index, so a save does
    not slow down as the database grows (a plan that read every mention did)."""
    store = Store(pg_url)
    with store.transaction() as con:
        con.executemany(
            "INSERT INTO article(id, title, source, language, text, text_hash, geoparser,"
            " origin, added_at) VALUES (?,?,?,?,?,?,?,?,?)",
            [(f"a{i}", "t", "s", "en", f"text {i}", f"h{i}", "v", "o", "now") for i in range(300)],
        )
        con.executemany(
            'INSERT INTO mention(article_id, start, "end", text, mention_type, reason)'
            " VALUES (?,?,?,?,?,?)",
            [(f"a{i}", k, k + 1, "x", "name", "r") for i in range(300) for k in range(100)],
        )
    store.con().execute("ANALYZE")
    recorded: list[str] = []
    run = store.con()._run

    def spy(sql, params):
        if sql.lstrip().upper().startswith(("DELETE", "UPDATE", "SELECT")) and "mention" in sql:
            recorded.append(sql)
        return run(sql, params)

    store.con()._run = spy
    store.save(Article("new", None, "T", None, "S", "en", "Kyiv again."), [], "v", "o")
    store.con()._run = run
    assert recorded
    for sql in recorded:
        args = ["new"] * sql.count("?")
        plan = "\n".join(r[0] for r in store.con().execute(f"EXPLAIN {sql}", args).fetchall())
        assert "Seq Scan on mention" not in plan, (sql, plan)


_OPEN = """
import sys, time
from pathlib import Path
from geo.store import Store
go = Path(sys.argv[2])
while not go.exists():
    time.sleep(0.01)
Store(sys.argv[1]).close()
print("opened")
"""


def test_processes_laying_out_one_database_at_once(pg_url, tmp_path):
    """Four processes open one empty database together: one lays it out, none fails."""
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _OPEN, pg_url, str(go)],
            cwd=Path(__file__).parent.parent,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    go.touch()
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert (p.returncode, out) == (0, "opened\n"), err
    meta = dict(Store(pg_url).con().execute("SELECT key, value FROM meta").fetchall())
    assert meta["schema"] == str(len(PG_SCHEMA_STEPS))


def _hold_write_lock(url: str) -> psycopg.Connection:
    """Another session holding the store's write lock."""
    from geo.store.postgres import WRITE_LOCK

    holder = psycopg.connect(url, autocommit=True)
    holder.execute("SELECT pg_advisory_lock(%s)", (WRITE_LOCK,))
    return holder


def test_a_held_write_lock_is_waited_for(pg_url):
    store = Store(pg_url, busy_patience=20)
    holder = _hold_write_lock(pg_url)
    threading.Timer(1.0, lambda: holder.execute("SELECT pg_advisory_unlock_all()")).start()
    a = Article("w", None, "T", None, "S", "en", "Kyiv waits.")
    assert store.save(a, [], "v1", "t").status == "added"
    holder.close()


def test_a_lock_held_too_long_is_a_store_error(pg_url):
    store = Store(pg_url, busy_patience=0.3)
    holder = _hold_write_lock(pg_url)
    try:
        with pytest.raises(StoreError, match="locked"):
            store.save(Article("w", None, "T", None, "S", "en", "Kyiv waits."), [], "v1", "t")
    finally:
        holder.close()
    assert store.counts()["articles"] == 0
    assert store.save(Article("w", None, "T", None, "S", "en", "Kyiv waits."), [], "v1", "t")
