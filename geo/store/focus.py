"""The corpus focus kept with the database: the countries its articles are about.

The focus is a small prior for ambiguous names (see `geo.focus` and `Resolver.focus`); it
belongs to the corpus, so it is stored in the `meta` table ("UA:1,RU:1"), read by every
ingest into this database (CLI, app, workers, Dask), and copied by `geo migrate`. Changing
it makes the articles whose place names it could change stale (`geo.focus.refocus`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

FOCUS_KEY = "focus"


def format_focus(focus: Mapping[str, float]) -> str:
    """{"UA": 1.0, "RU": 0.5} -> "UA:1,RU:0.5" (the form `geo.focus.parse_focus` reads)."""
    return ",".join(f"{cc}:{w:g}" for cc, w in sorted(focus.items(), key=lambda kv: -kv[1]))


class FocusMixin:
    def focus(self) -> dict[str, float]:
        """Country code -> weight; empty when none was set."""
        from geo.focus import parse_focus

        row = self.con().execute("SELECT value FROM meta WHERE key = ?", (FOCUS_KEY,)).fetchone()
        try:
            return parse_focus(row[0]) if row else {}
        except ValueError:  # written by hand: better no prior than a wrong one
            return {}

    def set_focus(self, focus: Mapping[str, float]) -> None:
        """Keep `focus` as the corpus's focus (empty: none)."""
        with self.transaction() as con:
            con.execute("DELETE FROM meta WHERE key = ?", (FOCUS_KEY,))
            if focus:
                con.execute("INSERT INTO meta VALUES (?, ?)", (FOCUS_KEY, format_focus(focus)))
            self._bump(con)

    def country_mentions(self) -> dict[str, int]:
        """Country code -> mentions of places in it, over the articles shown on the map."""
        rows = self.con().execute(
            "SELECT p.country, COUNT(*) FROM mention m JOIN place p ON p.key = m.place_key"
            " JOIN article a ON a.id = m.article_id"
            " WHERE p.country IS NOT NULL AND p.country != '' AND a.dup_of IS NULL"
            " GROUP BY p.country"
        )
        return {cc: int(n) for cc, n in rows}

    def mention_names(self) -> dict[str, set[str]]:
        """Every distinct written form of a place in the stored articles -> the countries of
        the places it is read as ("" for a place in no country)."""
        out: dict[str, set[str]] = {}
        rows = self.con().execute(
            "SELECT DISTINCT m.text, p.country FROM mention m JOIN place p ON p.key = m.place_key"
        )
        for text, country in rows:
            out.setdefault(text, set()).add(country or "")
        return out

    def mark_names_for_reparse(self, names: Sequence[str]) -> int:
        """Make the articles that have a place mention written as one of `names` stale (the
        next ingest parses them again); returns how many articles.
        """
        names = sorted(set(names))
        ids: set[str] = set()
        con = self.con()
        for i in range(0, len(names), 500):
            part = names[i : i + 500]
            marks = ",".join("?" * len(part))
            ids.update(
                r[0]
                for r in con.execute(
                    f"SELECT DISTINCT article_id FROM mention WHERE text IN ({marks})", part
                )
            )
        return self._mark_stale(ids)
