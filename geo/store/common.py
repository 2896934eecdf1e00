"""What every part of the store shares: the marks of a Conflict Map database, the writers'
patience, the columns an article is read back from, and how a server address is told from a
SQLite path.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from geo.models import Article

# PRAGMA application_id of every Conflict Map database ("CMAP"): a file carrying another id
# belongs to another application and is never written to.
APPLICATION_ID = 0x434D4150
BUSY_TIMEOUT_S = 5.0  # SQLite's own wait for a lock, per attempt
BUSY_PATIENCE_S = 60.0  # total wait for the write lock before giving up with StoreError
SERVER_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
REPARSE = "re-parse"  # the origin the pipeline gives a stale article it parses again
ARTICLE_COLUMNS = "id, url, title, published, source, language, text"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def is_server_url(value: object) -> bool:
    """True for a PostgreSQL URL (postgresql://user@host/db) or keyword address
    (host=h dbname=db); anything else is a SQLite path.
    """
    from geo.redact import is_keyword_conninfo

    return isinstance(value, str) and (
        value.split("://", 1)[0] in SERVER_SCHEMES or is_keyword_conninfo(value)
    )


def _article(row: tuple) -> Article:
    aid, url, title, pub, src, lang, text = row
    return Article(aid, url, title, date.fromisoformat(pub) if pub else None, src, lang, text)
