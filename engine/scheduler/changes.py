"""The subjects whose swept dates were written since the last sweep (``date_changes``).

The domain notes them in the transaction that writes the date (``engine.domain.date_changes``);
a sweep reads them, looks for their dates entered after a due day already swept, and deletes
the rows it read — by id, so rows committed while it ran stay for the next sweep.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.domain import models as m

LIMIT = 20000  # rows a sweep takes at most; the next sweep takes the rest
IN_LIMIT = 500  # ids per DELETE … IN


@dataclass(slots=True)
class Changes:
    """Noted subjects by kind, and the ids of the rows that noted them."""

    ids: list[int] = field(default_factory=list)
    subjects: dict[str, list[str]] = field(default_factory=dict)

    def forget(self, session: Session) -> None:
        """Delete the rows this sweep read."""
        for n in range(0, len(self.ids), IN_LIMIT):
            chunk = self.ids[n : n + IN_LIMIT]
            session.execute(delete(m.DateChange).where(m.DateChange.id.in_(chunk)))


def read(session: Session) -> Changes:
    """The oldest noted changes (at most ``LIMIT``), each subject once."""
    found = Changes()
    seen: set[tuple[str, str]] = set()
    query = select(m.DateChange).order_by(m.DateChange.id).limit(LIMIT)
    for row in session.scalars(query):
        found.ids.append(row.id)
        if (row.subject_kind, row.subject_id) not in seen:
            seen.add((row.subject_kind, row.subject_id))
            found.subjects.setdefault(row.subject_kind, []).append(row.subject_id)
    return found
