"""Storage of articles, places and mentions (with character offsets), in SQLite or PostgreSQL.

`Store(path)` opens a SQLite file (`sqlite`, its layout in `sqlite_schema`);
`Store("postgresql://user@host/db")` a PostgreSQL database with PostGIS (`postgres`, its layout
in `postgres_schema`). Neither dialect imports the other; both are a `base.Store`, which puts
together one module per concept:

- `writes`: saving articles with their mentions (the save policy), copies, files, failures;
- `queries`: the selection (`Query`) and what the map and the panels read (the counting rule
  for near-duplicates);
- `feeds`: watched feeds; `corrections`: users' corrections; `removal`: removing and restoring;
- `groups`: near-duplicate groups; `distance`: distances on a sphere; `common`: shared names.
"""

from geo.store.base import Store
from geo.store.common import (
    APPLICATION_ID,
    ARTICLE_COLUMNS,
    BUSY_PATIENCE_S,
    BUSY_TIMEOUT_S,
    REPARSE,
    SERVER_SCHEMES,
    is_server_url,
)
from geo.store.distance import EARTH_RADIUS_KM, box_around, haversine_km
from geo.store.feeds import FeedState
from geo.store.queries import Query
from geo.store.sqlite import SqliteStore
from geo.store.sqlite_schema import SCHEMA_STEPS
from geo.store.writes import SaveResult

__all__ = [
    "APPLICATION_ID",
    "ARTICLE_COLUMNS",
    "BUSY_PATIENCE_S",
    "BUSY_TIMEOUT_S",
    "EARTH_RADIUS_KM",
    "REPARSE",
    "SCHEMA_STEPS",
    "SERVER_SCHEMES",
    "FeedState",
    "Query",
    "SaveResult",
    "SqliteStore",
    "Store",
    "box_around",
    "haversine_km",
    "is_server_url",
]
