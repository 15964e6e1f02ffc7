"""The people around a bad run: legitimate edits, complaints and shadow fixes.

And whether the owner is there at all (:func:`owner_away`): people are not always
there, and an owner on holiday pauses nothing.

People make a drill honest. A clerk who corrects a record during the window turns
it "unclear": a blind revert would overwrite their work (rule 5). Customers
complain once damage is visible, which is how bad runs without a checkable stop
rule get noticed. And when nobody says anything for too long, people start fixing
things by hand without telling anyone (rule 6), which a repair then trips over.
All of it is seeded, so the same drill meets the same people.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from drills.fakes.active import CATALOG
from drills.fakes.actors import Actor
from drills.fakes.catalog import KEY, ColumnType
from drills.fakes.store import Op, SqlStore, Value
from drills.scenarios.schema import Scenario
from drills.scenarios.truth import DamageKind, GroundTruth

__all__ = ["Complaint", "People", "PersonEdit", "owner_away"]

_NAMES = ("Ana Ruiz", "Ben Okafor", "Chloe Martin", "Dev Patel", "Emma Jansen", "Farid Haddad")


def owner_away(scenario: Scenario) -> bool:
    """Whether the runbook's owner is away in this drill (``people.owner``).

    ``random`` is decided by the scenario's seed, so the same drill always finds the
    owner in the same place.
    """
    owner = scenario.people.owner
    if owner == "random":
        return random.Random(f"{scenario.seed}:{scenario.name}:owner").random() < 0.5
    return owner == "away"


@dataclass(frozen=True)
class PersonEdit:
    at: datetime
    who: str
    table: str
    key: int
    field: str
    shadow: bool = False


@dataclass(frozen=True)
class Complaint:
    at: datetime
    about: str
    damaged: int


@dataclass
class People:
    """Drives people's actions on the drill clock; every write is an ``Actor.person``."""

    scenario: Scenario
    store: SqlStore
    truth: GroundTruth
    edits: list[PersonEdit] = field(default_factory=list)
    complaints: list[Complaint] = field(default_factory=list)
    _next_edit: datetime | None = None
    _next_fix: datetime | None = None
    _rng: random.Random = field(default_factory=random.Random)
    _fields: list[tuple[str, int, str]] = field(default_factory=list)
    _fields_at: int = -1
    _counted: tuple[str, int, int] | None = None

    def __post_init__(self) -> None:
        self._rng = random.Random(f"{self.scenario.seed}:{self.scenario.name}:people")
        per_hour = self.scenario.people.edits_per_hour
        if per_hour:
            self._next_edit = self.scenario.starts + self._gap(per_hour)

    def _gap(self, per_hour: int) -> timedelta:
        return timedelta(seconds=self._rng.expovariate(per_hour / 3600.0))

    # -- legitimate edits ----------------------------------------------------------------

    def edit_due(self, now: datetime) -> list[PersonEdit]:
        """Make every legitimate edit due by ``now``; half go to damaged records if any."""
        per_hour = self.scenario.people.edits_per_hour
        done: list[PersonEdit] = []
        while self._next_edit is not None and self._next_edit <= now:
            edit = self._edit(now, shadow=False)
            if edit:
                done.append(edit)
            self._next_edit += self._gap(per_hour)
        return done

    def _edit(self, now: datetime, *, shadow: bool) -> PersonEdit | None:
        table = self.scenario.automation.trigger.table
        target = self._damaged_field() if (shadow or self._rng.random() < 0.5) else None
        if target is None:
            if shadow:
                return None
            count = self._count(table)
            if not count:
                return None
            key = self._rng.randint(1, count)
            target = (table, key, "notes" if "notes" in CATALOG.table(table).field_names
                      else CATALOG.table(table).data_fields[-1])
        table, key, name = target
        current = self.store.get(table, key)
        if current is None:
            return None
        who = self._rng.choice(_NAMES)
        value = self._new_value(table, name, current[name], who)
        if value == current[name]:
            return None
        actor = Actor.person(f"shadow fix by {who}" if shadow else who)
        self.store.update(table, {key: {name: value}}, actor)
        edit = PersonEdit(now, who, table, key, name, shadow)
        self.edits.append(edit)
        return edit

    def _count(self, table: str) -> int:
        """Records in ``table``; counted again only after the change log shows an insert or
        delete there (a count is a pass over a million rows on SQLite; the check reads
        only that table's changes since the last count)."""
        cl = self.store.changelog
        with self.store.engine.connect() as conn:
            top = int(conn.scalar(sa.select(sa.func.max(cl.c.seq))) or 0)
            if self._counted is not None and self._counted[0] == table:
                changed = conn.scalar(
                    sa.select(cl.c.seq)
                    .where(cl.c.table_name == table, cl.c.seq > self._counted[1],
                           cl.c.seq <= top, cl.c.op.in_([Op.INSERT, Op.DELETE]))
                    .limit(1)
                )
                if changed is None:
                    self._counted = (table, top, self._counted[2])
                    return self._counted[2]
        count = self.store.count(table)
        self._counted = (table, top, count)
        return count

    def _damaged_field(self) -> tuple[str, int, str] | None:
        fields = self._repairable()
        return self._rng.choice(fields) if fields else None

    def _repairable(self) -> list[tuple[str, int, str]]:
        """Damaged source fields in order; rebuilt only when the truth has grown.

        Entries are never removed and their kind and place never change, so the list
        depends on the truth's size alone: a person's edit reuses it instead of sorting
        a hundred thousand fields again.
        """
        if self._fields_at != len(self.truth):
            self._fields = sorted(
                d.ident for d in self.truth
                if d.kind is not DamageKind.EXTRA and not CATALOG.is_copy(d.table)
            )
            self._fields_at = len(self.truth)
        return self._fields

    def _new_value(self, table: str, name: str, old: Value, who: str) -> Value:
        col = CATALOG.table(table).column(name)
        if col.choices:
            options = [c for c in col.choices if c != old]
            return self._rng.choice(options) if options else old
        if col.type is ColumnType.INT:
            return (int(old) if isinstance(old, int) else 0) + self._rng.randint(1, 50)
        if name == KEY:
            return old
        return f"checked by {who}"

    # -- complaints ----------------------------------------------------------------------

    def complain_due(self, now: datetime, visible: int) -> Complaint | None:
        """A complaint once visible damage passes the threshold, then one every ``every``."""
        spec = self.scenario.people.complaints
        if spec is None or visible < spec.first_after.count:
            return None
        if self.complaints and now < self.complaints[-1].at + spec.every:
            return None
        if self.complaints and visible <= self.complaints[-1].damaged:
            return None
        complaint = Complaint(now, spec.first_after.of, visible)
        self.complaints.append(complaint)
        return complaint

    # -- shadow fixes --------------------------------------------------------------------

    def shadow_fix_due(
        self, now: datetime, detected: datetime | None, last_note: datetime | None
    ) -> list[PersonEdit]:
        """Untracked fixes while nobody has heard anything for ``start_after_silence``."""
        spec = self.scenario.people.shadow_fixes
        if spec is None or not spec.per_hour or detected is None:
            return []
        heard = last_note if last_note is not None else detected
        if last_note is not None and last_note >= detected:
            return []
        start = heard + spec.start_after_silence
        if now < start:
            return []
        if self._next_fix is None:
            self._next_fix = start
        done: list[PersonEdit] = []
        while self._next_fix <= now:
            edit = self._edit(now, shadow=True)
            if edit:
                done.append(edit)
            self._next_fix += self._gap(spec.per_hour)
        return done
