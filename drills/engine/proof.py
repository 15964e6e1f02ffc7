"""The restart's test record, run through the automation as it stands and checked.

Rule 7 asks for one low-risk real record run through the job before a restart. In a
drill that is a real run of the job's own planning code on a real record of its
triggering table - the fixed job when the team knows the cause, the still-faulty one
when it does not - and a check of what it would write against what the job is meant to
write for that record (its healthy plan). A record the fault bends comes out wrong, and
the check says how: "3 records in email.outbox where 1 was meant", "customer_email set
to '+1 555 0100' where 'ana@example.com' was meant".

The test record is one the bad run already handled (the team re-runs the job on a record
that went wrong, as its log of what the run did shows), in the run's order; a record of
the run's targets when it handled none. Nothing is written to the world: the test shows
what the job would do, and the harm the drill measures is the bad run's and the
restart's, not the one test record's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from drills.fakes.automations import Insert, PlanContext, Update, Write, fetch_records
from drills.fakes.store import Value
from drills.scenarios.badrun import BadRun

__all__ = ["TestRecord", "differences", "pick_test_records", "try_test_record"]


@dataclass(frozen=True)
class TestRecord:
    """One test record run through the job before a restart, and what came out wrong."""

    __test__ = False  # not a pytest test class, whatever its name

    table: str
    key: int
    at: datetime
    fixed: bool
    """Whether the job it ran through had its cause fixed."""
    wrong: tuple[str, ...] = ()
    """What the job would have written wrong for it; empty when it came out right."""

    @property
    def ok(self) -> bool:
        return not self.wrong

    @property
    def label(self) -> str:
        return f"{self.table} #{self.key}"

    @property
    def detail(self) -> str:
        """``test record billing.invoices #12 came out right`` or what was wrong."""
        if self.ok:
            return f"test record {self.label} came out right"
        return f"test record {self.label} came out wrong: {'; '.join(self.wrong)}"


def pick_test_records(run: BadRun, count: int) -> list[int]:
    """The first ``count`` records the run handled (its targets when it handled none)."""
    pool = run.handled or run.targets
    return list(dict.fromkeys(pool))[:max(count, 0)]



def try_test_record(run: BadRun, key: int, at: datetime, *, fixed: bool) -> TestRecord:
    """Run the job on record ``key`` as it stands (``fixed`` or not) and check it."""
    table = run.automation.table
    ctx = PlanContext(run.store, at, run.automation.name, table)
    records = fetch_records(run.store, table, [key])
    if not records:
        return TestRecord(table, key, at, fixed, (f"record {key} is not in {table}",))
    meant = run.automation.plan(records, ctx).get(key, [])
    if fixed:
        made = list(meant)
    else:
        widened = (run.automation.plan(records, ctx, ignore_filter=True)
                   if run.injector.ignores_filter else {key: meant})
        made = run.injector.bend(records[0], widened.get(key, []), ctx)
    return TestRecord(table, key, at, fixed, tuple(differences(meant, made)))



def differences(meant: Sequence[Write], made: Sequence[Write]) -> list[str]:
    """What ``made`` does that ``meant`` does not, in words, table by table."""
    out: list[str] = []
    tables = dict.fromkeys(w.table for w in (*meant, *made))
    for table in tables:
        m_ins = [w for w in meant if isinstance(w, Insert) and w.table == table]
        d_ins = [w for w in made if isinstance(w, Insert) and w.table == table]
        if len(d_ins) != len(m_ins):
            out.append(f"{len(d_ins)} record{'s' if len(d_ins) != 1 else ''} in {table} "
                       f"where {len(m_ins)} {'was' if len(m_ins) == 1 else 'were'} meant")
        else:
            for want, got in zip(m_ins, d_ins, strict=True):
                changed = [f for f in {**want.row, **got.row}
                           if want.row.get(f) != got.row.get(f) and f not in _TIMES]
                out += [f"a {table} record with {f} {_show(got.row.get(f))} where "
                        f"{_show(want.row.get(f))} was meant" for f in changed]
        m_up = _last_values(meant, table)
        d_up = _last_values(made, table)
        for ident in dict.fromkeys([*m_up, *d_up]):
            want_v, got_v = m_up.get(ident, _UNSET), d_up.get(ident, _UNSET)
            writes = sum(1 for w in made if isinstance(w, Update)
                         and (w.table, w.key, w.field) == (table, *ident))
            name = f"{table}.{ident[1]} of #{ident[0]}"
            if got_v is _UNSET:
                out.append(f"{name} not written where {_show(want_v)} was meant")
            elif want_v is _UNSET:
                out.append(f"{name} set to {_show(got_v)}, which the job must not touch")
            elif got_v != want_v:
                out.append(f"{name} set to {_show(got_v)} where {_show(want_v)} was meant")
            elif writes > 1 + sum(1 for w in meant if isinstance(w, Update)
                                  and (w.table, w.key, w.field) == (table, *ident)):
                out.append(f"{name} written {writes} times (flapping) where once was meant")
    return out


_TIMES = frozenset({"created_at", "sent_at", "at", "updated_at"})
"""Fields stamped with the time of the run: alike for both plans, never the fault."""

_UNSET = object()


def _last_values(writes: Sequence[Write], table: str) -> dict[tuple[int, str], object]:
    out: dict[tuple[int, str], object] = {}
    for w in writes:
        if isinstance(w, Update) and w.table == table:
            out[(w.key, w.field)] = w.value
    return out


def _show(value: Value | object) -> str:
    if value is _UNSET or value is None:
        return "empty (null)"
    if value == "":
        return "empty ('')"
    return repr(value) if isinstance(value, str) else str(value)

