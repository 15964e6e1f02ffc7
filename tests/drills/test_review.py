"""The team's review of a bad run: which writes were wrong, found from what a team has.

Validity first: with the cause known, the review finds exactly the fields the run got
wrong (the ground truth judges it here, and only here); without the cause, a team
cannot tell the run's right writes from its wrong ones and undoes them all, so a
runbook that never finds the cause leaves the right writes wrong in an over-broad run.
"""

from __future__ import annotations

import ast
import copy
from pathlib import Path

import pytest
import sqlalchemy as sa

from drills.fakes.store import encode_value
from drills.judging.endstate import evaluate
from drills.levers.review import REVIEW_TABLE
from drills.responders.scripted import Drill
from drills.runbook import Runbook
from drills.runbook.complete import complete_runbook, complete_sections
from drills.scenarios.loader import builtin_names, load_scenario
from drills.scenarios.truth import DamageKind

pytestmark = pytest.mark.slow

REVIEW = Path(__file__).parents[2] / "drills" / "levers" / "review.py"


def test_the_review_never_reads_the_ground_truth() -> None:
    tree = ast.parse(REVIEW.read_text(encoding="utf-8"))
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
             for a in n.names}
    assert "GroundTruth" not in names
    assert "truth_table" not in names
    assert "_drills_truth" not in REVIEW.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", builtin_names())
def test_with_the_cause_known_it_finds_what_the_run_got_wrong(name: str) -> None:
    scenario = load_scenario(name)
    result = Drill(scenario, complete_runbook(scenario)).run()
    truth = {(d.table, d.key, d.field) for d in result.run.truth}
    with result.store.engine.connect() as conn:
        rows = conn.execute(sa.text(
            f"SELECT table_name, record_key, field FROM {REVIEW_TABLE}")).all()
    found = {(str(t), int(k), str(f)) for t, k, f in rows}
    # A field the run never wrote (a lost event's) that a person set to its right value
    # before the review is right as it stands: a team sees nothing to repair there.
    cl = result.store.changelog
    with result.store.engine.connect() as conn:
        by_hand = {(str(t), int(k), str(f), v) for t, k, f, v in conn.execute(
            sa.select(cl.c.table_name, cl.c.record_key, cl.c.field, cl.c.new_value)
            .where(cl.c.actor_kind == "person"))}
    set_right = {d.ident for d in result.run.truth if d.kind is DamageKind.STALE
                 and (*d.ident, encode_value(d.right)) in by_hand}
    is_copy = scenario.catalog.is_copy  # whatever its warehouse is called
    source = {i for i in truth if not is_copy(i[0])} - set_right
    assert source <= found, sorted(source - found)[:5]
    # What it finds beyond the damage is at most a copy caught up with its source.
    extra = {i for i in found - truth if not is_copy(i[0])}
    assert not extra, sorted(extra)[:5]


def test_without_the_cause_every_write_of_the_run_is_undone() -> None:
    """A flapping status ends, on many orders, where the fixed job would have put it: a
    team that never finds the cause reverts those too (and the repair is counted as
    making them wrong); one that does leaves them be."""
    scenario = load_scenario("order-status-flapping")
    full = complete_sections(scenario)
    blind = copy.deepcopy(full)
    blind["restart"].pop("cause")
    known = evaluate(Drill(scenario, Runbook.model_validate(full)).run())
    unknown = evaluate(Drill(scenario, Runbook.model_validate(blind)).run())
    assert known.records_left_wrong == 0
    assert unknown.records_left_wrong > known.records_left_wrong
