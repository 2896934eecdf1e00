"""Places mentioned together: for one place, the places the selection names in the same
passages and in the same articles.

Two mentions are in the same passage when they are in one article and their starts are at
most PASSAGE_CHARS characters apart (about a sentence either side, which is what the panel
quotes). Near-duplicate copies count once: only the articles the selected place's passages
come from (its representatives, see geo.store.queries) are read, so a story published by
three outlets adds one article and its passages once.
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.models import Place
from geo.store.queries import Query

PASSAGE_CHARS = 200


@dataclass(frozen=True, slots=True)
class Together:
    """A place named with the selected one: in how many of its passages and articles."""

    place: Place
    passages: int  # the selected place's passages that also name this place
    articles: int  # the selected place's articles (copies once) that also name this place


class TogetherMixin:
    """Store's read of the places mentioned together with one place."""

    def mentioned_together(
        self, place_key: str, q: Query, limit: int = 20, chars: int = PASSAGE_CHARS
    ) -> list[Together]:
        """The places most often named in the same passages as `place_key` (then in the same
        articles), most first; ties by name and key. Both places must be in the selection.
        """
        where, args = self._where(q)
        here_where = f"{where} AND m.place_key = ?"
        here_args = [*args, place_key]
        prefix, prefix_args, not_copy = "", [], ""
        if self._has_groups():
            # The same representatives as passages(): per group the member that mentions
            # the place most often, the one stored first on a tie.
            prefix = (
                f"{self._GROUPED},"
                " per_article AS (SELECT a.id AS id, gr.g AS g, COUNT(*) AS n, a.rowid AS r"
                f" {self._GROUPED_BASE} WHERE {here_where} GROUP BY a.id, gr.g, a.rowid),"
                " copies AS (SELECT id FROM (SELECT id, ROW_NUMBER() OVER"
                " (PARTITION BY g ORDER BY n DESC, r) AS k FROM per_article) AS ranked"
                " WHERE k > 1),"
            )
            prefix_args = here_args
            not_copy = f" AND {self._NOT_A_COPY}"
        sql = (
            f"WITH {prefix}"
            f" here AS (SELECT a.id AS aid, m.start AS s {self._BASE}"
            f" WHERE {here_where}{not_copy}),"
            f" there AS (SELECT a.id AS aid, m.start AS s, m.place_key AS k {self._BASE}"
            f" WHERE {where} AND m.place_key != ? AND a.id IN (SELECT aid FROM here)),"
            " near AS (SELECT k, COUNT(*) AS n FROM (SELECT DISTINCT t.k, h.aid, h.s"
            " FROM here h JOIN there t ON t.aid = h.aid AND t.s BETWEEN h.s - ? AND h.s + ?)"
            " AS pairs GROUP BY k),"
            " arts AS (SELECT k, COUNT(DISTINCT aid) AS n FROM there GROUP BY k)"
            " SELECT p.geonameid, p.name, p.kind, p.lat, p.lon, p.country,"
            " COALESCE(near.n, 0) AS passages, arts.n AS articles"
            " FROM arts JOIN place p ON p.key = arts.k LEFT JOIN near ON near.k = arts.k"
            " ORDER BY passages DESC, articles DESC, p.name, p.key LIMIT ?"
        )
        rows = self.con().execute(
            sql, [*prefix_args, *here_args, *args, place_key, chars, chars, limit]
        )
        return [Together(Place(g, n, k, la, lo, c), np, na) for g, n, k, la, lo, c, np, na in rows]
