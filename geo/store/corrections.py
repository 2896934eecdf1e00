"""The store's side of users' corrections: adding, undoing, listing and importing them
(what a correction does to the mentions is geo.corrections).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import replace

from geo import corrections
from geo.models import Correction
from geo.store.common import _now


class CorrectionsMixin:
    """Store's corrections."""

    def add_correction(self, c: Correction, *, confirmed: bool = False) -> Correction:
        """Store a user's correction and apply it at once; returns it as stored.

        Raises ValueError when it is incomplete (see geo.corrections.validate), and
        corrections.WideCorrection when, not `confirmed`, it would change more than
        corrections.MAX_UNCONFIRMED mentions.
        """
        corrections.validate(c)
        c = replace(c, created_at=c.created_at or _now(), note=c.note.strip())
        c = replace(c, uid=c.uid or uuid.uuid4().hex)  # two users may make the same fix
        with self.transaction() as con:
            if not confirmed:
                corrections.check_reach(con, c)
            cid = corrections.insert(con, c)
            if cid is None:
                raise ValueError("this correction is stored already")
            c = replace(c, id=cid)
            corrections.apply(con, corrections.affected(con, c))
            self._bump(con)
            return corrections.read(con, "WHERE id = ?", (cid,))[0]

    def undo_correction(self, correction_id: int) -> bool:
        """Withdraw a correction (it stays in the history, marked undone); False if unknown
        or undone already. The geoparser's choice, or an older correction, applies again.
        """
        with self.transaction() as con:
            found = corrections.read(con, "WHERE id = ? AND undone_at IS NULL", (correction_id,))
            if not found:
                return False
            con.execute("UPDATE correction SET undone_at = ? WHERE id = ?", (_now(), correction_id))
            corrections.apply(con, corrections.affected(con, found[0]))
            self._bump(con)
            return True

    def corrections(self, *, include_undone: bool = True) -> list[Correction]:
        """The corrections, newest first."""
        where = "" if include_undone else "WHERE undone_at IS NULL"
        return corrections.read(self.con(), f"{where} ORDER BY id DESC")

    def orphaned_corrections(self) -> list[Correction]:
        """Active corrections that no longer match anything in their article (its text
        changed, or the article was removed).
        """
        return corrections.read(
            self.con(),
            "WHERE undone_at IS NULL AND scope IN ('mention', 'article') AND (orphaned = 1"
            " OR article_id NOT IN (SELECT id FROM article)) ORDER BY id",
        )

    def correction_reach(self, c: Correction) -> int:
        """How many mentions `c` would change, counted up to MAX_UNCONFIRMED + 1."""
        return corrections.reach(self.con(), c)

    def import_corrections(
        self, items: Iterable[Correction], *, confirmed: bool = False
    ) -> tuple[int, int]:
        """Store corrections made elsewhere (e.g. `geo corrections import`), keeping their
        uid; returns (new, already stored). Importing the same corrections twice changes
        nothing. Raises corrections.WideCorrection as add_correction does, importing none.
        """
        new = known = 0
        with self.transaction() as con:
            touched: set[str] = set()
            for c in items:
                corrections.validate(c)
                c = replace(
                    c, uid=c.uid or corrections.make_uid(c), created_at=c.created_at or _now()
                )
                cid = corrections.insert(con, c)
                if cid is None:
                    known += 1
                    continue
                if not confirmed:  # a rule stored already was confirmed then
                    corrections.check_reach(con, c)
                new += 1
                touched |= corrections.affected(con, replace(c, id=cid))
            if new:
                corrections.apply(con, touched)
                self._bump(con)
        return new, known
