"""Rewind: undo the change log back to a chosen point, through the logged write path.

The change log records old and new values of every field every write touched, so
the state at any earlier ``seq`` can be rebuilt by undoing newer changes newest
first. The undo writes go through the store's own methods under the caller's actor,
so a rewind is itself in the log (and can be rewound in turn), and a drill report
can tell the harness's clean-up apart from everyone else's writes.

This is the reference repair: exact and simple. It reads the log newest first and
undoes each run of neighbouring changes to one table with one op in one store call
(so a bad run's thousand updates are one ``update``, not a thousand); a guarded
set-based repair at scale belongs to the drill's repair step, and this function is
the oracle such a repair is checked against.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from drills.errors import DrillsError
from drills.fakes.actors import Actor
from drills.fakes.catalog import KEY
from drills.fakes.queries import Change, changes, last_seq
from drills.fakes.store import Op, SqlStore, Value

__all__ = ["RewindError", "rewind"]


class RewindError(DrillsError):
    """A rewind that cannot be done: a seq outside the change log, or an operation in the
    log that cannot be undone. (A journaled action that cannot be read back is the live
    responder's :class:`~drills.responders.live.responder.ReplayError`.)"""


@dataclass
class _Group:
    """A run of neighbouring changes to one table with one op, undone by one store call.

    Walking newest first, an update group may meet the same (record, field) again: the
    older change's old value then replaces the newer one, which is what undoing both
    in turn would leave. An insert or delete group never repeats a (record, field) in
    a consistent log (the record would need the opposite op in between); if one does,
    it starts a new group so that nothing is merged that should not be.
    """

    table: str
    op: str
    values: dict[int, dict[str, Value]] = field(default_factory=dict)

    def accepts(self, change: Change) -> bool:
        if change.table != self.table or change.op != self.op:
            return False
        return change.op == Op.UPDATE or change.field not in self.values.get(change.key, {})

    def add(self, change: Change) -> None:
        self.values.setdefault(change.key, {})[change.field] = change.old


def rewind(store: SqlStore, to_seq: int, actor: Actor) -> int:
    """Undo every change with ``seq > to_seq``, newest first, writing as ``actor``.

    An insert is undone by deleting the record, a delete by inserting the record again
    with its logged values and original id, an update by writing the old value back.
    ``to_seq`` should fall between two writes (a value of :func:`drills.fakes.queries.last_seq`
    taken earlier); inside one write it undoes only part of it. Returns how many
    change-log rows were undone; the undo's own log rows come after them. Each group
    of undo writes is its own transaction, so a failure part-way leaves the earlier
    groups undone (and logged); rewinding again to the same seq finishes the job.
    """
    end = last_seq(store)
    if not 0 <= to_seq <= end:
        raise RewindError(
            f"cannot rewind to seq {to_seq}: the change log runs from 0 to {end}; "
            "pass a seq from that range, e.g. one read with last_seq() before the run"
        )
    todo = changes(store, after_seq=to_seq)
    todo.reverse()
    groups: list[_Group] = []
    for change in todo:
        if not groups or not groups[-1].accepts(change):
            groups.append(_Group(change.table, change.op))
        groups[-1].add(change)
    for group in groups:
        _undo(store, group, actor)
    return len(todo)


def _undo(store: SqlStore, group: _Group, actor: Actor) -> None:
    if group.op == Op.INSERT:
        store.delete(group.table, list(group.values), actor)
    elif group.op == Op.DELETE:
        store.insert(
            group.table,
            [{KEY: key, **values} for key, values in group.values.items()],
            actor,
        )
    elif group.op == Op.UPDATE:
        store.update(group.table, group.values, actor)
    else:
        raise RewindError(
            f"the change log holds an unknown operation '{group.op}' on {group.table}; "
            "only insert, update and delete can be undone"
        )
