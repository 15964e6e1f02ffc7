"""Ground truth: every record and field a bad run made wrong, and what it should hold.

The harness knows what it broke, so scope accuracy and residual damage are measured,
never guessed. Truth is derived, not declared: for each batch, the healthy plan and
the plan the fault bent are compared against the values the records held before the
batch, so a fault cannot forget to report a write it made.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

import sqlalchemy as sa

from drills.fakes.automations import Insert, Update, Write
from drills.fakes.catalog import KEY
from drills.fakes.store import SqlStore, Value, format_time

__all__ = ["Damage", "DamageKind", "FieldId", "GroundTruth", "derive_damage", "read_values"]

WHOLE_RECORD = "*"


class DamageKind(StrEnum):
    VALUE = "value"
    """A field holds a value it should not (``right`` is what it should hold)."""
    STALE = "stale"
    """A write the healthy run makes never happened (the value went to another field)."""
    EXTRA = "extra"
    """A record that should not exist at all (a duplicate email, a second invoice)."""


@dataclass(frozen=True, slots=True)
class Damage:
    """One damaged field (or record) and what it should hold.

    Slotted: a million-record drill keeps 100,000s of them (600,000 for a triple trigger
    over 1M invoices), and a slotted entry is 96 bytes where a dict-backed one is about 200."""

    table: str
    key: int
    field: str
    kind: DamageKind
    wrong: Value
    right: Value
    at: datetime
    batch_id: str | None = None

    @property
    def ident(self) -> tuple[str, int, str]:
        return (self.table, self.key, self.field)


FieldId = tuple[str, int, str]


def read_values(
    store: SqlStore, fields: Iterable[FieldId]
) -> dict[FieldId, Value]:
    """Current values of (table, key, field) triples, one query per table."""
    wanted: dict[str, dict[int, set[str]]] = {}
    for table, key, field in fields:
        wanted.setdefault(table, {}).setdefault(key, set()).add(field)
    out: dict[FieldId, Value] = {}
    with store.engine.connect() as conn:
        for table, by_key in wanted.items():
            t = store.sa_table(table)
            names = sorted({f for fs in by_key.values() for f in fs})
            place = {n: i for i, n in enumerate(names, start=1)}
            for row in store.read_keyed(conn, t, (KEY, *names), by_key):
                key = int(row[0])
                for n in by_key[key]:
                    out[(table, key, n)] = row[place[n]]
    return out


def derive_damage(
    before: Mapping[FieldId, Value],
    plans: Sequence[tuple[Sequence[Write], Sequence[Write], Sequence[int | None]]],
    *,
    at: datetime,
    batch_id: str | None,
    columns: Mapping[str, Sequence[str]],
) -> list[Damage]:
    """What the bent plans got wrong compared with the healthy ones.

    ``plans`` holds, per triggering record, the healthy plan, the bent plan and the ids
    the bent plan's inserts received. Updates are compared over the whole batch by
    their final value per field (a field written three times ends with one value);
    inserts are paired per record and table in order, and an insert the healthy plan
    did not make is an extra record. ``columns`` lists each table's data fields so a
    field the healthy insert left empty still compares.
    """
    right: dict[FieldId, Value] = {}
    wrong: dict[FieldId, Value] = {}
    for healthy, bent, _ in plans:
        for w in healthy:
            if type(w) is Update:
                right[(w.table, w.key, w.field)] = w.value
        for w in bent:
            if type(w) is Update:
                wrong[(w.table, w.key, w.field)] = w.value
    damages: list[Damage] = []
    missing = object()
    # Only fields whose right and wrong values can differ are sorted and compared:
    # a field both plans write with the same value (most of a bad run's writes)
    # differs from nothing.
    differing = [
        ident for ident, x in wrong.items() if right.get(ident, missing) != x
    ]
    differing.extend(ident for ident in right if ident not in wrong)
    for ident in sorted(differing):
        r = right.get(ident, before.get(ident))
        x = wrong.get(ident, before.get(ident))
        if r != x:
            kind = DamageKind.VALUE if ident in wrong else DamageKind.STALE
            damages.append(Damage(*ident, kind, x, r, at, batch_id))
    for healthy, bent, ids in plans:
        damages.extend(_insert_damage(healthy, bent, ids, at, batch_id, columns))
    return damages


def _insert_damage(
    healthy: Sequence[Write],
    bent: Sequence[Write],
    ids: Sequence[int | None],
    at: datetime,
    batch_id: str | None,
    columns: Mapping[str, Sequence[str]],
) -> Iterator[Damage]:
    healthy_rows: dict[str, list[Mapping[str, Value]]] = {}
    for w in healthy:
        if isinstance(w, Insert):
            healthy_rows.setdefault(w.table, []).append(w.row)
    seen: Counter[str] = Counter()
    for w, new_id in zip(bent, ids, strict=True):
        if not isinstance(w, Insert):
            continue
        assert new_id is not None
        n = seen[w.table]
        seen[w.table] += 1
        pairs = healthy_rows.get(w.table, [])
        if n >= len(pairs):
            yield Damage(w.table, new_id, WHOLE_RECORD, DamageKind.EXTRA, None, None, at, batch_id)
            continue
        for field in columns[w.table]:
            r, x = pairs[n].get(field), w.row.get(field)
            if r != x:
                yield Damage(w.table, new_id, field, DamageKind.VALUE, x, r, at, batch_id)


class GroundTruth:
    """All damage of one run, keyed by (table, key, field).

    When a field is damaged twice, the first ``right`` value is kept (it is the value
    before the run touched it) and the last ``wrong`` value (what the field now holds).

    Readers that run every tick (the engine's damage counts, the stop-rule metrics,
    downstream propagation) must not rescan a million entries each time, so the
    damaged keys per table are kept as entries arrive, and a journal lists every
    entry recorded or changed, in order: a reader remembers its :attr:`position` and
    later asks only for what changed :meth:`since` then.
    """

    TABLE = "_drills_truth"
    KEY_INDEX = "ux_drills_truth"

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        self._entries: dict[FieldId, Damage] = {}
        self._keys: dict[str, set[int]] = {}
        self._fields: dict[tuple[str, int], list[str]] = {}
        self._journal: list[FieldId] = []
        self.cursors: dict[str, tuple[int, int]] = {}
        """Per downstream sync: the journal position and change-log seq it was checked up to."""

    def record(self, damages: Iterable[Damage]) -> None:
        # Names bound once and the ident built inline: a bad run records 100,000s of
        # entries, and this loop was 1.5 s of a million-record drill's profile.
        entries, keys, fields = self._entries, self._keys, self._fields
        journal = self._journal.append
        for d in damages:
            table, key, field = ident = (d.table, d.key, d.field)
            old = entries.get(ident)
            if old is None:
                entries[ident] = d
                found = keys.get(table)
                if found is None:
                    keys[table] = found = set()
                found.add(key)
                named = fields.get((table, key))
                if named is None:
                    fields[(table, key)] = [field]
                else:
                    named.append(field)
            else:
                entries[ident] = Damage(
                    table, key, field, old.kind, d.wrong, old.right, old.at, old.batch_id
                )
            journal(ident)

    def __iter__(self) -> Iterator[Damage]:
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, ident: object) -> bool:
        return ident in self._entries

    def get(self, ident: FieldId) -> Damage | None:
        return self._entries.get(ident)

    def of_record(self, table: str, key: int) -> list[Damage]:
        """The record's entries, in the order they were first recorded.

        A downstream copy asks this for every record it wrote; one lookup per record,
        instead of one per field of the table (a million lookups at 1M records).
        """
        entries = self._entries
        return [entries[(table, key, name)] for name in self._fields.get((table, key), ())]

    @property
    def position(self) -> int:
        """How many recordings the journal holds; pass it to :meth:`since` later."""
        return len(self._journal)

    def since(self, position: int, upto: int | None = None) -> list[Damage]:
        """Entries recorded or changed after ``position`` (up to ``upto``), each once, as now."""
        idents = dict.fromkeys(self._journal[position:upto])
        return [self._entries[i] for i in idents]

    @property
    def records(self) -> Mapping[str, AbstractSet[int]]:
        """Damaged record keys per table (kept up to date as damage is recorded; read only)."""
        return MappingProxyType(self._keys)

    def counts(self) -> dict[str, int]:
        """Damaged records per table."""
        return {t: len(keys) for t, keys in sorted(self._keys.items())}

    @classmethod
    def table(cls, store: SqlStore) -> sa.Table:
        """The persisted truth of every run in ``store`` (see :meth:`persist`)."""
        return store.work_table(
            cls.TABLE,
            sa.Column("run_id", sa.Text, nullable=False),
            sa.Column("table_name", sa.Text, nullable=False),
            sa.Column("record_key", sa.Integer, nullable=False),
            sa.Column("field", sa.Text, nullable=False),
            sa.Column("kind", sa.Text, nullable=False),
            sa.Column("wrong_value", sa.Text),
            sa.Column("right_value", sa.Text),
            sa.Column("at", sa.Text, nullable=False),
            sa.Column("batch_id", sa.Text),
            # A unique index, not a primary key, so that persist can build it after the
            # load (see there).
            sa.Index(cls.KEY_INDEX, "run_id", "table_name", "record_key", "field", unique=True),
        )

    def persist(self, store: SqlStore) -> int:
        """Write the truth into the store (replacing this run's rows) for set-based scoring.

        The key index is dropped for the load and built again after it: entries arrive
        in no key order, and inserting 400,000 of them into a B-tree one by one costs
        more than one sorted build (400,000 entries into a file SQLite: 4.2-4.7 s with
        the key in place, 3.2-4.1 s this way; PostgreSQL advises the same for bulk loads).
        """
        t = self.table(store)
        (key_index,) = (i for i in t.indexes if i.name == self.KEY_INDEX)
        columns = ("run_id", "table_name", "record_key", "field", "kind", "wrong_value",
                   "right_value", "at", "batch_id")
        # Per-entry work kept to lookups: a run has a few hundred distinct times at most,
        # three kinds, and 400,000 entries at a million records.
        times: dict[datetime, str] = {}
        kinds = {kind: kind.value for kind in DamageKind}
        run_id = self.run_id
        rows = (
            (run_id, d.table, d.key, d.field, kinds[d.kind],  # values as encode_value has them
             None if d.wrong is None else str(d.wrong),
             None if d.right is None else str(d.right),
             times.get(d.at) or times.setdefault(d.at, format_time(d.at)), d.batch_id)
            for d in self._entries.values()
        )
        with store.begin() as conn:
            conn.execute(t.delete().where(t.c.run_id == self.run_id))
            key_index.drop(conn, checkfirst=True)
            store.backend.bulk_load(conn, t, columns, rows)  # the store's fastest insert
            key_index.create(conn)
            store.backend.analyze(conn, t)  # scope and repair join it next
        return len(self._entries)
