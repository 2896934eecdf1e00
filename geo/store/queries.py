"""What the map and the panels read: the selection (Query) and the queries over it, and the
corpus's counts, dates, sources and countries.

Counting rule for near-duplicates: within a selection, each group of copies is one piece of
evidence. For every place, a group contributes the mentions of one representative member: the
selected member that mentions the place most often (ties: the one stored first). So a place's
`articles` is the number of groups that mention it and its `mentions` the sum of those
representatives' mentions; passages, the timeline and count_passages show the same
representatives, and also_published names the other members.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

from geo import textfilter
from geo.models import Article, Mention, Passage, Place, PlaceCount
from geo.store.common import ARTICLE_COLUMNS, _article
from geo.store.distance import haversine_km
from geo.store.review import DOUBTFUL, TRUSTED


@dataclass(frozen=True, slots=True)
class Query:
    """What the user selected. None dates mean unbounded."""

    start: date | None = None
    end: date | None = None
    include_undated: bool = True
    sources: tuple[str, ...] = ()  # empty: all
    kinds: tuple[str, ...] = ()  # empty: all
    countries: tuple[str, ...] = ()  # ISO2 of the place; empty: all
    text: str = ""  # comma-separated substrings of title or text (any), case-insensitive
    include_demonyms: bool = False
    article_ids: tuple[str, ...] = ()  # empty: all; else only these articles
    # (south, west, north, east) in degrees: only places inside; west > east crosses ±180°
    bbox: tuple[float, float, float, float] | None = None
    near: tuple[float, float, float] | None = None  # (lat, lon, km): places within km of it
    # Events (geo.store.events): with types, places count those events, and passages are
    # those inside such an event's sentence at their place. Empty statuses: every status.
    event_types: tuple[str, ...] = ()
    event_statuses: tuple[str, ...] = ("reported",)
    # Leave out mentions the resolver is unsure of (below geo.store.review.DOUBTFUL) unless
    # a user confirmed or corrected them.
    hide_doubtful: bool = False


class QueriesMixin:
    """Store's reads."""

    def counts(self) -> dict[str, int]:
        """Stored articles, mentions, mentioned places, undated articles and near-duplicates.

        "near_duplicates" counts the articles that joined an earlier article's group.
        """
        con = self.con()
        return {
            "articles": con.execute("SELECT COUNT(*) FROM article").fetchone()[0],
            "mentions": con.execute("SELECT COUNT(*) FROM mention").fetchone()[0],
            "places": con.execute(
                "SELECT COUNT(DISTINCT place_key) FROM mention WHERE place_key IS NOT NULL"
            ).fetchone()[0],
            "undated": con.execute(
                "SELECT COUNT(*) FROM article WHERE published IS NULL"
            ).fetchone()[0],
            "near_duplicates": con.execute(
                "SELECT COUNT(*) FROM article WHERE dup_of IS NOT NULL"
            ).fetchone()[0],
        }

    def languages(self) -> list[tuple[str, int]]:
        """(language code, articles) over the stored articles, most first."""
        rows = self.con().execute(
            "SELECT language, COUNT(*) FROM article GROUP BY language ORDER BY COUNT(*) DESC"
        )
        return [(lang, n) for lang, n in rows]

    def date_bounds(self) -> tuple[date, date] | None:
        """Earliest and latest publication date; None when no article is dated."""
        row = self.con().execute("SELECT MIN(published), MAX(published) FROM article").fetchone()
        if not row or row[0] is None:
            return None
        return date.fromisoformat(row[0]), date.fromisoformat(row[1])

    def core_dates(self, gap_days: int = 60, share: float = 0.8) -> tuple[date, date] | None:
        """The span where the dated articles cluster: the run of publication dates without a
        gap of more than `gap_days` that holds the most articles, when it holds at least
        `share` of them; else the full bounds. A few stray old or new texts do not stretch
        the landing view's date range over years.
        """
        rows = (
            self.con()
            .execute(
                "SELECT published, COUNT(*) FROM article WHERE published IS NOT NULL"
                " GROUP BY published ORDER BY published"
            )
            .fetchall()
        )
        if not rows:
            return None
        days = [(date.fromisoformat(d), n) for d, n in rows]
        total = sum(n for _, n in days)
        best = (0, days[0][0], days[0][0])
        run_start, run_n, prev = days[0][0], 0, days[0][0]
        for d, n in days:
            if (d - prev).days > gap_days:
                run_start, run_n = d, 0
            run_n += n
            prev = d
            if run_n > best[0]:
                best = (run_n, run_start, d)
        if best[0] >= share * total:
            return best[1], best[2]
        return days[0][0], days[-1][0]

    def sources(self) -> list[tuple[str, int]]:
        """Every source with its number of stored articles, most first."""
        rows = self.con().execute(
            "SELECT source, COUNT(*) FROM article GROUP BY source ORDER BY COUNT(*) DESC, source"
        )
        return [(s, n) for s, n in rows]

    def countries(self) -> list[str]:
        """ISO2 codes of the countries of stored places."""
        rows = self.con().execute(
            "SELECT DISTINCT country FROM place WHERE country IS NOT NULL ORDER BY country"
        )
        return [r[0] for r in rows]

    def article(self, article_id: str) -> Article | None:
        """The stored article with this id; None when there is none."""
        row = (
            self.con()
            .execute(f"SELECT {ARTICLE_COLUMNS} FROM article WHERE id=?", (article_id,))
            .fetchone()
        )
        return _article(row) if row else None

    def also_published(self, article_id: str) -> list[tuple[str, str | None, str]]:
        """(source, url, title) of the other copies of this article's story, oldest first.

        Those are the other members of its near-duplicate group, then the exact copies stored
        as aliases of any member. Empty when the article has no copies or is unknown.
        """
        con = self.con()
        row = con.execute(
            "SELECT COALESCE(a.dup_of, a.id) FROM article a WHERE a.id = ?"
            " UNION ALL SELECT COALESCE(a.dup_of, a.id) FROM article_alias al"
            " JOIN article a ON a.id = al.article_id WHERE al.id = ?",
            (article_id, article_id),
        ).fetchone()
        if row is None:
            return []
        rows = con.execute(
            "WITH g AS (SELECT id, rowid AS r FROM article WHERE id = ? OR dup_of = ?)"
            " SELECT * FROM (SELECT a.source, a.url, a.title, a.published AS pub, 0 AS copy, g.r"
            " FROM article a JOIN g ON g.id = a.id WHERE a.id != ?"
            " UNION ALL SELECT al.source, al.url, al.title, al.published, 1, g.r"
            " FROM article_alias al JOIN g ON g.id = al.article_id WHERE al.id != ?) AS copies"
            " ORDER BY copy, pub IS NULL, pub, r",
            (row[0], row[0], article_id, article_id),
        )
        return [(src, url, title) for src, url, title, *_ in rows]

    def mentions_of(self, article_id: str) -> list[Mention]:
        """The stored mentions of one article, in text order."""
        rows = self.con().execute(
            'SELECT m.start, m."end", m.text, m.mention_type, m.reason, p.geonameid, p.name,'
            " p.kind, p.lat, p.lon, p.country FROM mention m LEFT JOIN place p ON p.key=m.place_key"
            " WHERE m.article_id=? ORDER BY m.start",
            (article_id,),
        )
        out = []
        for s, e, t, mt, why, gid, nm, kind, lat, lon, cc in rows:
            place = Place(gid, nm, kind, lat, lon, cc) if nm is not None else None
            out.append(Mention(article_id, s, e, t, mt, place, why))
        return out

    def _where(self, q: Query, on: str = "mention") -> tuple[str, list]:
        """SQL over article a, place p and mention m (`on` "mention") or event e ("event":
        its place is optional, and the event filter is the caller's) for the selection.
        """
        clauses = ["m.place_key IS NOT NULL"] if on == "mention" else ["1 = 1"]
        args: list = []
        date_parts = []
        if q.start or q.end:
            rng = []
            if q.start:
                rng.append("a.published >= ?")
                args.append(q.start.isoformat())
            if q.end:
                rng.append("a.published <= ?")
                args.append(q.end.isoformat())
            date_parts.append("(" + " AND ".join(rng) + ")")
            if q.include_undated:
                date_parts.append("a.published IS NULL")
            clauses.append("(" + " OR ".join(date_parts) + ")")
        elif not q.include_undated:
            clauses.append("a.published IS NOT NULL")
        if q.sources:
            clauses.append(f"a.source IN ({','.join('?' * len(q.sources))})")
            args.extend(q.sources)
        if q.kinds:
            clauses.append(f"p.kind IN ({','.join('?' * len(q.kinds))})")
            args.extend(q.kinds)
        if q.countries:
            clauses.append(f"p.country IN ({','.join('?' * len(q.countries))})")
            args.extend(q.countries)
        if not q.include_demonyms and on == "mention":
            clauses.append("m.mention_type = 'name'")
        if q.article_ids:
            clauses.append(f"a.id IN ({','.join('?' * len(q.article_ids))})")
            args.extend(q.article_ids)
        terms = textfilter.checked(q.text)  # ValueError past its bounds
        if terms:
            # Comma-separated words or phrases: articles containing any of them.
            # Tested once per article in a subquery, not once per mention row of the join:
            # 20 short terms found in no article took 30.9 s on the sample, 0.xx s so.
            parts = [self._text_clause(t) for t in terms]
            any_term = " OR ".join(sql for sql, _ in parts)
            clauses.append(f"a.id IN (SELECT a.id FROM article a WHERE {any_term})")
            for _, more in parts:
                args.extend(more)
        if q.bbox is not None:
            sql, more = self._bbox_clause(*q.bbox)
            clauses.append(sql)
            args.extend(more)
        if q.near is not None:
            sql, more = self._near_clause(*q.near)
            clauses.append(sql)
            args.extend(more)
        if q.hide_doubtful and on == "mention":
            clauses.append(f"(m.confidence IS NULL OR m.confidence >= ? OR {TRUSTED})")
            args.append(DOUBTFUL)
        if q.event_types and on == "mention":
            sql, more = self._event_passage_clause(q)
            clauses.append(sql)
            args.extend(more)
        return " AND ".join(clauses), args

    # -- what differs between SQL dialects (geo.store.sqlite, geo.store.postgres) ---------
    def _text_clause(self, term: str) -> tuple[str, list]:
        """SQL that is true for the articles a whose title or text contain `term`, in any case."""
        raise NotImplementedError

    def _bbox_clause(
        self, south: float, west: float, north: float, east: float
    ) -> tuple[str, list]:
        """SQL that is true for the places p inside the box."""
        raise NotImplementedError

    def _near_clause(self, lat: float, lon: float, km: float) -> tuple[str, list]:
        """SQL that keeps the places p within `km` of (lat, lon) on a sphere."""
        raise NotImplementedError

    _NOT_A_COPY: str  # true for an article a that is not its group's representative
    _GROUPED_BASE: str  # _BASE over the grouped articles only, from them to their mentions
    _MONDAY: str  # the Monday of the week of `published`, as an ISO date

    def _has_groups(self) -> bool:
        """True when some article is a near-duplicate (an indexed look-up)."""
        row = self.con().execute("SELECT 1 FROM article WHERE dup_of IS NOT NULL LIMIT 1")
        return row.fetchone() is not None

    # The articles of groups with more than one member, with their group's first article.
    _GROUPED = (
        "grouped AS (SELECT id, dup_of AS g FROM article WHERE dup_of IS NOT NULL"
        " UNION SELECT dup_of, dup_of FROM article WHERE dup_of IS NOT NULL)"
    )
    _BASE = "FROM mention m JOIN article a ON a.id=m.article_id JOIN place p ON p.key=m.place_key"

    def _select(
        self, columns: str, q: Query, place_key: str, tail: str = "", extra: tuple = ()
    ) -> sqlite3.Cursor:
        """SELECT `columns` over one place's mentions in the selection (joined with article
        and place), keeping only each near-duplicate group's representative article.
        """
        where, args = self._where(q)
        where += " AND m.place_key = ?"
        args.append(place_key)
        if not self._has_groups():
            return self.con().execute(
                f"SELECT {columns} {self._BASE} WHERE {where} {tail}", [*args, *extra]
            )
        # Only grouped articles can lose to their group's representative: the member with
        # most mentions of the place in the selection, the one stored first on a tie.
        return self.con().execute(
            f"WITH {self._GROUPED},"
            " per_article AS (SELECT a.id AS id, gr.g AS g, COUNT(*) AS n, a.rowid AS r"
            f" {self._GROUPED_BASE} WHERE {where} GROUP BY a.id, gr.g, a.rowid),"
            " copies AS (SELECT id FROM (SELECT id, ROW_NUMBER() OVER"
            " (PARTITION BY g ORDER BY n DESC, r) AS k FROM per_article) AS ranked WHERE k > 1)"
            f" SELECT {columns} {self._BASE} WHERE {where} AND {self._NOT_A_COPY} {tail}",
            [*args, *args, *extra],
        )

    def place_counts(self, q: Query) -> list[PlaceCount]:
        """Every place the selection mentions, with mention and article counts, most first.

        A near-duplicate group counts once: see the module docstring. With q.event_types,
        the counts are of the selected events there (geo.store.events).
        """
        if q.event_types:
            return [
                PlaceCount(Place(g, n, k, la, lo, c), cnt, na)
                for g, n, k, la, lo, c, cnt, na in self._event_place_counts(q)
            ]
        where, args = self._where(q)
        plain = (
            "SELECT p.key AS k, p.geonameid, p.name, p.kind, p.lat, p.lon, p.country,"
            f" COUNT(*) AS n, COUNT(DISTINCT m.article_id) AS na {self._BASE} WHERE {where}"
            " GROUP BY p.key"
        )
        if not self._has_groups():
            rows = self.con().execute(
                "SELECT p.geonameid, p.name, p.kind, p.lat, p.lon, p.country, COUNT(*),"
                f" COUNT(DISTINCT m.article_id) {self._BASE} WHERE {where}"
                " GROUP BY p.key ORDER BY COUNT(*) DESC, p.name, p.key",
                args,
            )
        else:
            # Every mention counted, less what the copies of each group add beyond its
            # representative (computed over the grouped articles only, which are few).
            rows = self.con().execute(
                f"WITH {self._GROUPED},"
                " per_article AS (SELECT m.place_key AS k, gr.g AS g, COUNT(*) AS n"
                f" {self._GROUPED_BASE} WHERE {where} GROUP BY m.article_id, m.place_key, gr.g),"
                " surplus AS (SELECT k, SUM(n) AS n, SUM(na) AS na FROM (SELECT k,"
                " SUM(n) - MAX(n) AS n, COUNT(*) - 1 AS na FROM per_article GROUP BY k, g)"
                " AS per_group GROUP BY k),"
                f" plain AS ({plain})"
                " SELECT c.geonameid, c.name, c.kind, c.lat, c.lon, c.country,"
                " c.n - COALESCE(s.n, 0) AS n, c.na - COALESCE(s.na, 0)"
                " FROM plain c LEFT JOIN surplus s ON s.k = c.k ORDER BY 7 DESC, c.name, c.k",
                [*args, *args],
            )
        return [
            PlaceCount(Place(g, n, k, la, lo, c), cnt, na) for g, n, k, la, lo, c, cnt, na in rows
        ]

    def passages(
        self, place_key: str, q: Query, limit: int = 500, offset: int = 0
    ) -> list[Passage]:
        """Mentions of one place in the selection, newest article first (`limit` of them,
        after skipping `offset`). A mention a correction moved here carries it (one a rule
        matched but left at the geoparser's own place does not).

        Of a near-duplicate group only the representative's passages are listed.
        """
        # Rows first, texts after: sorting the mentions with their articles' texts costs
        # far more than reading the few texts the page shows.
        rows = self._select(
            'a.id, m.start, m."end", m.mention_type, m.reason, m.correction, m.auto_place_key',
            q,
            place_key,
            tail="ORDER BY a.published IS NULL, a.published DESC, a.id, m.start LIMIT ? OFFSET ?",
            extra=(limit, offset),
        ).fetchall()
        con = self.con()
        arts: dict[str, Article] = {}
        for aid in dict.fromkeys(r[0] for r in rows):
            row = con.execute(f"SELECT {ARTICLE_COLUMNS} FROM article WHERE id=?", (aid,))
            arts[aid] = _article(row.fetchone())
        notes: dict[int, str] = {}
        names: dict[str, str] = {}
        out = []
        for aid, s, e, mt, why, cid, auto in rows:
            note, auto_name = "", None
            if cid is not None and auto == place_key:
                cid = None  # a rule that left this mention where the geoparser put it
            if cid is not None:
                if cid not in notes:
                    got = con.execute("SELECT note FROM correction WHERE id=?", (cid,)).fetchone()
                    notes[cid] = got[0] if got else ""
                note = notes[cid]
                if auto is not None:
                    if auto not in names:
                        got = con.execute("SELECT name FROM place WHERE key=?", (auto,)).fetchone()
                        names[auto] = got[0] if got else auto
                    auto_name = names[auto]
            out.append(Passage(arts[aid], s, e, mt, why, cid, note, auto_name))
        return out

    def place_dates(self, q: Query) -> dict[str, tuple[date | None, date | None]]:
        """place key -> (first, last) publication date of the selection's articles naming it."""
        where, args = self._where(q)
        rows = self.con().execute(
            f"SELECT p.key, MIN(a.published), MAX(a.published) {self._BASE} WHERE {where}"
            " GROUP BY p.key",
            args,
        )
        return {
            k: (date.fromisoformat(lo) if lo else None, date.fromisoformat(hi) if hi else None)
            for k, lo, hi in rows
        }

    def article_rows(
        self, q: Query, limit: int = 50, offset: int = 0
    ) -> tuple[int, list[tuple[str, str, date | None, str, int]]]:
        """(how many, a page of (id, title, date, source, places)) of the selection's
        articles that name a place, newest first.
        """
        where, args = self._where(q)
        con = self.con()
        total = con.execute(
            f"SELECT COUNT(DISTINCT a.id) {self._BASE} WHERE {where}", args
        ).fetchone()[0]
        rows = con.execute(
            f"SELECT a.id, a.title, a.published, a.source, COUNT(DISTINCT p.key) {self._BASE}"
            f" WHERE {where} GROUP BY a.id ORDER BY a.published IS NULL, a.published DESC, a.id"
            " LIMIT ? OFFSET ?",
            [*args, limit, offset],
        )
        return total, [
            (aid, title, date.fromisoformat(pub) if pub else None, src, n)
            for aid, title, pub, src, n in rows
        ]

    def articles_per_week(self) -> list[tuple[date, int]]:
        """(Monday, dated articles published that week) over the whole corpus, in order."""
        rows = self.con().execute(
            f"SELECT {self._MONDAY} AS wk, COUNT(*) FROM article WHERE published IS NOT NULL"
            " GROUP BY wk ORDER BY wk"
        )
        return [(date.fromisoformat(str(w)), n) for w, n in rows]

    def places_near(
        self, place_key: str, km: float, q: Query | None = None
    ) -> list[tuple[PlaceCount, float]]:
        """The other places of the selection within `km` of this one, nearest first, each
        with its distance in km (on a sphere: PostGIS's `ST_DWithin` on PostgreSQL, the
        haversine formula on SQLite). Empty when the place is unknown.
        """
        centre = self.place(place_key)
        if centre is None:
            return []
        rows = self.place_counts(replace(q or Query(), near=(centre.lat, centre.lon, km)))
        out = []
        for pc in rows:
            if pc.place.key == place_key:
                continue
            d = haversine_km(centre.lat, centre.lon, pc.place.lat, pc.place.lon)
            if d <= km:
                out.append((pc, d))
        out.sort(key=lambda x: (x[1], -x[0].mentions))
        return out

    def timeline(self, place_key: str, q: Query) -> list[tuple[date, int]]:
        """Mentions of one place per publication day in the selection (undated left out)."""
        rows = self._select(
            "a.published, COUNT(*)",
            q,
            place_key,
            tail="AND a.published IS NOT NULL GROUP BY a.published ORDER BY a.published",
        )
        return [(date.fromisoformat(d), n) for d, n in rows]

    def count_passages(self, place_key: str, q: Query) -> tuple[int, int]:
        """(mentions, articles) of one place in the selection, as place_counts counts them."""
        mentions, articles = self._select(
            "COUNT(*), COUNT(DISTINCT m.article_id)", q, place_key
        ).fetchone()
        return mentions, articles

    def place(self, place_key: str) -> Place | None:
        """The stored place with this key; None when there is none."""
        row = (
            self.con()
            .execute(
                "SELECT geonameid, name, kind, lat, lon, country FROM place WHERE key=?",
                (place_key,),
            )
            .fetchone()
        )
        return Place(*row) if row else None

    def iter_passages(self, place_key: str, q: Query, batch: int = 500) -> Iterator[Passage]:
        """Every passage of one place in the selection, in the order of passages(), read
        `batch` at a time (for downloads of any size).
        """
        offset = 0
        while True:
            rows = self.passages(place_key, q, limit=batch, offset=offset)
            yield from rows
            if len(rows) < batch:
                return
            offset += batch
