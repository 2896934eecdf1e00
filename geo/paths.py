"""Where the project keeps its data: the sample, the user's articles and the database
(environment variables choose the last two)."""

from __future__ import annotations

import os
from pathlib import Path

from geo.store import is_server_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = PROJECT_ROOT / "data" / "sample"
USER_DIR = PROJECT_ROOT / "data" / "articles"
DEFAULT_DB = PROJECT_ROOT / "data" / "conflict_map.sqlite"


def user_dir() -> Path:
    """Where the user's own articles live: $CONFLICT_MAP_ARTICLES, else data/articles/."""
    return Path(os.environ.get("CONFLICT_MAP_ARTICLES") or USER_DIR)


def db_path(cli_value: str | None = None) -> Path | str:
    """--db beats $CONFLICT_MAP_DB beats data/conflict_map.sqlite.

    A path is a SQLite file; a postgresql:// URL (kept as a string) a PostgreSQL database.
    """
    value = cli_value or os.environ.get("CONFLICT_MAP_DB") or DEFAULT_DB
    return value if is_server_url(value) else Path(value)
