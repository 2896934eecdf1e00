"""SQLite's layout as schema steps: step n runs in one transaction with PRAGMA user_version = n
(geo.store.sqlite runs the steps a file lacks).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from geo import dedup
from geo.articles import text_id
from geo.store.common import APPLICATION_ID
from geo.store.groups import _join_group

Step = str | Callable[[sqlite3.Connection], None]


def _fill_canonical_urls(con: sqlite3.Connection) -> None:
    """Schema 4: canonical URLs of the stored articles; every file is read again."""
    con.execute("ALTER TABLE article ADD COLUMN canonical_url TEXT")
    con.execute("CREATE INDEX article_canonical_url ON article(canonical_url)")
    con.execute(
        """CREATE TABLE article_alias(
            id TEXT PRIMARY KEY,
            article_id TEXT NOT NULL REFERENCES article(id) ON DELETE CASCADE,
            url TEXT, canonical_url TEXT, title TEXT NOT NULL, published TEXT,
            source TEXT NOT NULL, origin TEXT NOT NULL, added_at TEXT NOT NULL)"""
    )
    con.execute("CREATE INDEX article_alias_article ON article_alias(article_id)")
    rows = con.execute("SELECT id, url FROM article WHERE url IS NOT NULL").fetchall()
    con.executemany(
        "UPDATE article SET canonical_url=? WHERE id=?",
        [(dedup.canonical_url(url), aid) for aid, url in rows],
    )
    # Earlier versions matched articles by URL and overwrote records that shared one. Forget
    # which files were done, so the next ingest reads them all again (only articles whose
    # stored text differs are parsed) and brings back the texts that were overwritten.
    con.execute("DELETE FROM source_file")


def _group_near_duplicates(con: sqlite3.Connection) -> None:
    """Schema 5: MinHash signatures, LSH bands and near-duplicate groups of stored articles."""
    con.execute("ALTER TABLE article ADD COLUMN dup_of TEXT REFERENCES article(id)")
    con.execute("ALTER TABLE article ADD COLUMN minhash BLOB")
    con.execute("CREATE INDEX article_dup_of ON article(dup_of) WHERE dup_of IS NOT NULL")
    con.execute(
        """CREATE TABLE article_band(
            key INTEGER NOT NULL,
            article_id TEXT NOT NULL REFERENCES article(id) ON DELETE CASCADE,
            PRIMARY KEY(key, article_id)) WITHOUT ROWID"""
    )
    con.execute("CREATE INDEX article_band_article ON article_band(article_id)")
    # A group's members' mentions of one place are looked up by (article, place).
    con.execute("DROP INDEX mention_article")
    con.execute("CREATE INDEX mention_article ON mention(article_id, place_key)")
    con.execute("INSERT INTO meta VALUES ('minhash', ?)", (dedup.SIGNATURE_KIND,))
    for aid, text in con.execute("SELECT id, text FROM article ORDER BY rowid").fetchall():
        _join_group(con, aid, dedup.signature(text))


def _rekey_fetched_pages(con: sqlite3.Connection) -> None:
    """Schema 7: pages fetched by URL take the id of their canonical URL (dedup.url_id).

    Their id used to hash the URL as typed; now a re-fetch under another spelling of the same
    URL updates the stored article. A page whose new id is taken keeps its old one.
    """
    con.execute("PRAGMA defer_foreign_keys = ON")  # references are renamed below, same commit
    rows = con.execute("SELECT id, url FROM article WHERE url IS NOT NULL").fetchall()
    for old, url in rows:
        if old != text_id(url):
            continue  # not a fetched page: its id came with the record
        new = dedup.url_id(url)
        if new == old or con.execute("SELECT 1 FROM article WHERE id=?", (new,)).fetchone():
            continue
        con.execute("UPDATE article SET id=? WHERE id=?", (new, old))
        con.execute("UPDATE article SET dup_of=? WHERE dup_of=?", (new, old))
        for table, column in (
            ("mention", "article_id"),
            ("article_band", "article_id"),
            ("article_alias", "article_id"),
        ):
            con.execute(f"UPDATE {table} SET {column}=? WHERE {column}=?", (new, old))


FTS_TRIGGERS_9 = (
    """CREATE TRIGGER article_fts_insert AFTER INSERT ON article BEGIN
        UPDATE article SET seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM article)
            WHERE rowid = new.rowid;
        INSERT INTO article_fts(rowid, title, text)
            VALUES ((SELECT seq FROM article WHERE rowid = new.rowid), new.title, new.text);
    END""",
    """CREATE TRIGGER article_fts_update AFTER UPDATE OF title, text ON article BEGIN
        INSERT INTO article_fts(article_fts, rowid, title, text)
            VALUES ('delete', old.seq, old.title, old.text);
        INSERT INTO article_fts(rowid, title, text) VALUES (new.seq, new.title, new.text);
    END""",
    """CREATE TRIGGER article_fts_delete AFTER DELETE ON article BEGIN
        INSERT INTO article_fts(article_fts, rowid, title, text)
            VALUES ('delete', old.seq, old.title, old.text);
    END""",
)


def _index_words(con: sqlite3.Connection) -> None:
    """Schema 9: a trigram full-text index of titles and texts under the text filter.

    It is keyed by `article.seq`, a number that stays with its article (rowids of a table
    without an INTEGER PRIMARY KEY may change in a VACUUM); triggers keep it current.
    """
    for stmt in (
        "ALTER TABLE article ADD COLUMN seq INTEGER",
        "UPDATE article SET seq = rowid",
        "CREATE UNIQUE INDEX article_seq ON article(seq)",
        "CREATE VIRTUAL TABLE article_fts USING fts5(title, text, content='article',"
        " content_rowid='seq', tokenize='trigram')",
        "INSERT INTO article_fts(article_fts) VALUES ('rebuild')",
        *FTS_TRIGGERS_9,
    ):
        con.execute(stmt)


# The articles whose seq is at most this meta value are in the text index (schema 12).
INDEXED_SEQ = "indexed_seq"
_INDEXED = f"(SELECT CAST(value AS INTEGER) FROM meta WHERE key = '{INDEXED_SEQ}')"

FTS_TRIGGERS_12 = (
    # A new article's seq is above every seq used before, indexed or not, so an article
    # that came after the watermark is never taken for one below it.
    f"""CREATE TRIGGER article_fts_insert AFTER INSERT ON article BEGIN
        UPDATE article SET seq = MAX(
            (SELECT COALESCE(MAX(seq), 0) FROM article), COALESCE({_INDEXED}, 0)) + 1
            WHERE rowid = new.rowid;
    END""",
    f"""CREATE TRIGGER article_fts_update AFTER UPDATE OF title, text ON article
        WHEN old.seq <= {_INDEXED} BEGIN
        INSERT INTO article_fts(article_fts, rowid, title, text)
            VALUES ('delete', old.seq, old.title, old.text);
        INSERT INTO article_fts(rowid, title, text) VALUES (new.seq, new.title, new.text);
    END""",
    f"""CREATE TRIGGER article_fts_delete AFTER DELETE ON article
        WHEN old.seq <= {_INDEXED} BEGIN
        INSERT INTO article_fts(article_fts, rowid, title, text)
            VALUES ('delete', old.seq, old.title, old.text);
    END""",
)


def _index_words_later(con: sqlite3.Connection) -> None:
    """Schema 12: new articles enter the text index when the text filter is next used
    (`index_new_texts`), not one by one as they are saved.

    Indexing trigram by trigram was a third of storing the sample's shipped results on the
    first start; one statement for all of them at the first search costs half as much, and
    nothing when nobody searches. The articles indexed are those whose seq is at most the
    watermark kept in `meta`; an article above it is deleted or changed without touching
    the index.
    """
    for stmt in (
        "DROP TRIGGER article_fts_insert",
        "DROP TRIGGER article_fts_update",
        "DROP TRIGGER article_fts_delete",
        f"INSERT INTO meta VALUES ('{INDEXED_SEQ}',"
        " (SELECT CAST(COALESCE(MAX(seq), 0) AS TEXT) FROM article))",
        *FTS_TRIGGERS_12,
    ):
        con.execute(stmt)


def texts_to_index(con: sqlite3.Connection) -> tuple[int, int] | None:
    """(watermark, highest seq) when articles above the watermark wait for the text index;
    None when it is current. Two index lookups."""
    done, top = con.execute(
        f"SELECT COALESCE({_INDEXED}, 0), COALESCE(MAX(seq), 0) FROM article"
    ).fetchone()
    return (done, top) if top > done else None


def index_new_texts(con: sqlite3.Connection) -> int:
    """Add the articles above the watermark to the text index; returns how many.

    Call it holding the write lock (two processes must not index the same article twice).
    """
    waiting = texts_to_index(con)
    if waiting is None:
        return 0
    done, top = waiting
    cur = con.execute(
        "INSERT INTO article_fts(rowid, title, text)"
        " SELECT seq, title, text FROM article WHERE seq > ? AND seq <= ?",
        (done, top),
    )
    con.execute(f"UPDATE meta SET value = CAST(? AS TEXT) WHERE key = '{INDEXED_SEQ}'", (top,))
    return cur.rowcount


def _store_events(con: sqlite3.Connection) -> None:
    """Schema 10: events (geo.events) per article, and corrections of their type."""
    for stmt in EVENT_TABLE:
        con.execute(stmt)
    # SQLite cannot change a CHECK constraint: the corrections move to a new table.
    con.execute(
        """CREATE TABLE correction_new(
        id INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE,
        action TEXT NOT NULL
            CHECK(action IN ('place', 'not_place', 'add', 'event_type', 'not_event')),
        scope TEXT NOT NULL CHECK(scope IN ('mention', 'article', 'source', 'everywhere')),
        name TEXT NOT NULL, article_id TEXT, source TEXT, start INTEGER, "end" INTEGER,
        place_key TEXT, geonameid INTEGER, place_name TEXT, kind TEXT, lat REAL, lon REAL,
        country TEXT, old_place TEXT, note TEXT NOT NULL DEFAULT '',
        author TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, undone_at TEXT,
        orphaned INTEGER NOT NULL DEFAULT 0, event_type TEXT)"""
    )
    con.execute("INSERT INTO correction_new SELECT *, NULL FROM correction")
    con.execute("DROP TABLE correction")
    con.execute("ALTER TABLE correction_new RENAME TO correction")
    con.execute("CREATE INDEX correction_article ON correction(article_id)")


# The event table, as both dialects lay it out (INTEGER PRIMARY KEY is SQLite's row id).
# `type` is the type shown: the event typer's (`auto_type`) or a user's correction's, NULL
# when a user said it is no event. `place_key` is the place of the mention at
# place_start:place_end (kept equal to it when the mention's place is corrected).
EVENT_TABLE = (
    """CREATE TABLE event(
        id INTEGER PRIMARY KEY,
        article_id TEXT NOT NULL REFERENCES article(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL, type TEXT, auto_type TEXT NOT NULL, status TEXT NOT NULL,
        start INTEGER NOT NULL, "end" INTEGER NOT NULL, trigger_text TEXT NOT NULL,
        passage_start INTEGER NOT NULL, passage_end INTEGER NOT NULL,
        place_key TEXT REFERENCES place(key), place_start INTEGER, place_end INTEGER,
        actor TEXT NOT NULL DEFAULT '', target TEXT NOT NULL DEFAULT '',
        confidence REAL NOT NULL DEFAULT 0, source TEXT NOT NULL DEFAULT '',
        place_basis TEXT NOT NULL DEFAULT '', correction INTEGER)""",
    "CREATE UNIQUE INDEX event_article ON event(article_id, seq)",
    "CREATE INDEX event_place ON event(place_key, type, status)",
    "CREATE INDEX event_type ON event(type, status)",
    "CREATE INDEX event_trigger ON event(trigger_text COLLATE NOCASE)",
    "CREATE INDEX event_correction ON event(correction) WHERE correction IS NOT NULL",
)


# Both dialects: a confirmed place is keyed like `place`, so it survives re-ingest.
VERIFICATION_STEP = """
    ALTER TABLE mention ADD COLUMN confidence REAL;
    CREATE TABLE verification(
        place_key TEXT PRIMARY KEY, name TEXT NOT NULL, author TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL);
    """


SCHEMA_STEPS: list[Step] = [
    # 1: the initial layout
    f"""
    PRAGMA application_id = {APPLICATION_ID};
    CREATE TABLE article(
        id TEXT PRIMARY KEY, url TEXT, title TEXT NOT NULL, published TEXT, source TEXT NOT NULL,
        language TEXT NOT NULL, text TEXT NOT NULL, text_hash TEXT NOT NULL,
        geoparser TEXT NOT NULL, origin TEXT NOT NULL, added_at TEXT NOT NULL);
    CREATE INDEX article_url ON article(url);
    CREATE UNIQUE INDEX article_text_hash ON article(text_hash);
    CREATE INDEX article_published ON article(published);
    CREATE TABLE place(
        key TEXT PRIMARY KEY, geonameid INTEGER, name TEXT NOT NULL, kind TEXT NOT NULL,
        lat REAL NOT NULL, lon REAL NOT NULL, country TEXT);
    CREATE TABLE mention(
        id INTEGER PRIMARY KEY, article_id TEXT NOT NULL REFERENCES article(id) ON DELETE CASCADE,
        start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL,
        mention_type TEXT NOT NULL, place_key TEXT REFERENCES place(key), reason TEXT NOT NULL);
    CREATE INDEX mention_article ON mention(article_id);
    CREATE INDEX mention_place ON mention(place_key);
    CREATE TABLE source_file(
        path TEXT PRIMARY KEY, sha TEXT NOT NULL, geoparser TEXT NOT NULL, done_at TEXT NOT NULL);
    CREATE TABLE failure(
        id INTEGER PRIMARY KEY, source TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL);
    CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO meta VALUES ('revision', '0');
    """,
    # 2: failures remember their file or URL, so one ingest only replaces its own
    """
    ALTER TABLE failure ADD COLUMN origin TEXT NOT NULL DEFAULT '';
    CREATE INDEX failure_origin ON failure(origin);
    """,
    # 3: mark files written before step 1 set the application id
    f"PRAGMA application_id = {APPLICATION_ID}",
    # 4: articles keep their own ids; exact copies under other ids are aliases
    _fill_canonical_urls,
    # 5: near-duplicate groups
    _group_near_duplicates,
    # 6: watched feeds and the items already seen in each
    """
    CREATE TABLE feed(
        url TEXT PRIMARY KEY, every_s REAL NOT NULL CHECK(every_s >= 0), last_poll TEXT,
        added INTEGER NOT NULL DEFAULT 0, last_error TEXT, etag TEXT, last_modified TEXT);
    CREATE TABLE feed_seen(
        feed_url TEXT NOT NULL, key TEXT NOT NULL, seen_at TEXT NOT NULL,
        PRIMARY KEY(feed_url, key)) WITHOUT ROWID;
    """,
    # 7: fetched pages are identified by their canonical URL
    _rekey_fetched_pages,
    # 8: users' corrections over the geoparser's choices (geo.corrections); removed articles
    """
    ALTER TABLE mention ADD COLUMN auto_place_key TEXT;
    ALTER TABLE mention ADD COLUMN correction INTEGER;
    ALTER TABLE mention ADD COLUMN added INTEGER NOT NULL DEFAULT 0;
    UPDATE mention SET auto_place_key = place_key;
    CREATE INDEX mention_text ON mention(text COLLATE NOCASE);
    CREATE INDEX mention_correction ON mention(correction) WHERE correction IS NOT NULL;
    CREATE TABLE correction(
        id INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE,
        action TEXT NOT NULL CHECK(action IN ('place', 'not_place', 'add')),
        scope TEXT NOT NULL CHECK(scope IN ('mention', 'article', 'source', 'everywhere')),
        name TEXT NOT NULL, article_id TEXT, source TEXT, start INTEGER, "end" INTEGER,
        place_key TEXT, geonameid INTEGER, place_name TEXT, kind TEXT, lat REAL, lon REAL,
        country TEXT, old_place TEXT, note TEXT NOT NULL DEFAULT '',
        author TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, undone_at TEXT,
        orphaned INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX correction_article ON correction(article_id);
    CREATE TABLE removed(
        article_id TEXT PRIMARY KEY, batch INTEGER NOT NULL, origin TEXT NOT NULL,
        source TEXT NOT NULL, title TEXT NOT NULL, data TEXT NOT NULL, removed_at TEXT NOT NULL);
    CREATE INDEX removed_batch ON removed(batch);
    """,
    # 9: a full-text index under the text filter
    _index_words,
    # 10: events per article and corrections of their type
    _store_events,
    # 11: how sure the resolver is of each mention's place (geo.confidence), and the places
    # a user confirmed (geo.store.review)
    VERIFICATION_STEP,
    # 12: new articles enter the text index at the next text search, all at once
    _index_words_later,
]
