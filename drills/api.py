"""The library's front door: run a drill and get its report in one call, or a journal's.

The CLI, the pytest plugin and users' own scripts all come through here, so they
see the same drill: the same engine, the same findings, the same costs. A journal's
report comes back here too, scripted or live: this module sits above both the journal
and the live drills, so it hands the live rebuild to the journal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from drills.engine.collector import collector_paused
from drills.engine.handlers import DrillEventHandler
from drills.engine.hooks import CodeTrust, PauseHook
from drills.fakes.active import using_catalog
from drills.fakes.backends import Backend, BackendSpec, open_backend
from drills.fakes.backends.spec import rerun_spec
from drills.journal import Journal, JournalSpec, record_journal
from drills.journal import report_from_journal as _journal_report
from drills.judging import build_report, drill_findings, evaluate
from drills.judging.baselines import baselines
from drills.judging.costs import Reruns, measured, with_costs
from drills.judging.trials import rule_findings
from drills.reports.model import DrillReport
from drills.responders.scripted import Drill
from drills.runbook import Runbook, lint_runbook
from drills.scenarios.schema import Scenario

__all__ = ["report_from_journal", "run_drill"]


def run_drill(
    scenario: Scenario,
    runbook: Runbook | None = None,
    *,
    costs: bool = True,
    runbook_path: str | Path | None = None,
    db_path: Path | None = None,
    handlers: Iterable[DrillEventHandler] = (),
    hooks: Mapping[str, PauseHook] | None = None,
    journal: Path | JournalSpec | None = None,
    backend: str | BackendSpec | Backend | None = None,
    keep: bool = False,
) -> DrillReport:
    """Run one scripted drill and judge it.

    With ``costs`` every finding a runbook change can close gets its measured cost
    (one rerun of the same seeded drill per distinct fix). ``db_path`` keeps the
    drill's SQLite database as a file for inspection. ``hooks`` maps a runbook
    ``call:`` step's target to the team's own pause function (else it is imported).
    ``journal`` writes the drill's events to a new journal file as they happen, ending
    with the report (:mod:`drills.journal`); the gap-cost reruns are not journaled.

    ``backend`` is ``sqlite`` (default), ``docker``, a ``postgresql://`` URL, a
    :class:`~drills.fakes.backends.BackendSpec`, or an open backend the caller keeps and
    disposes; ``None`` reads ``DRILLS_BACKEND``. ``keep`` keeps a PostgreSQL drill
    schema. Gap-cost reruns run on the same kind of database, each in its own schema.
    """
    chosen: Backend
    if backend is None or isinstance(backend, str | BackendSpec):
        chosen, owned = open_backend(backend, db_path=db_path, keep=keep), True
    else:
        chosen, owned = backend, False
    try:
        # The whole drill, judging included, is in the scenario's systems; after it,
        # whatever ran before (the built-in ones) again.
        with using_catalog(scenario.catalog):
            # The drill keeps its seeded world: the baselines and gap-cost reruns fork it.
            drill = Drill(scenario, runbook, backend=chosen, handlers=handlers, hooks=hooks,
                          keep_template=True)
            with record_journal(journal, drill, runbook_path=runbook_path, costs=costs) as recorder:
                result = drill.run()
                with collector_paused():  # judging reads the whole truth (drills.engine.collector)
                    ev = evaluate(result)
                    findings = drill_findings(result, ev)
                if runbook is not None:
                    findings += lint_runbook(
                        runbook, source=str(runbook_path) if runbook_path else None
                    )
                    findings += rule_findings(scenario, runbook, result.world.world.template)
                # The baselines and the gap-cost reruns share one set of reruns (one pool).
                reruns = Reruns(scenario, hooks, rerun_spec(chosen), result.world.world.template)
                base = measured(result, ev)
                if not result.interrupted:
                    reruns.already(runbook, base)
                if costs and runbook is not None:
                    findings = with_costs(scenario, runbook, findings, base, hooks,
                                          backend=rerun_spec(chosen), reruns=reruns)
                report = build_report(
                    result, findings, ev, runbook_path=str(runbook_path) if runbook_path else None,
                    baselines_=None if result.interrupted else baselines(scenario, reruns=reruns),
                )
                recorder.finish(report)
            return report
    finally:
        if owned:
            chosen.dispose()


def report_from_journal(
    journal: str | Path | Journal, *, trust: CodeTrust | None = None
) -> DrillReport:
    """The drill's report: the one its journal holds, or one rebuilt from it.

    A scripted drill is replayed (:mod:`drills.journal.replay`), a live one rebuilt from
    the team's journaled actions (:mod:`drills.responders.live.replay`). Pass a
    :class:`~drills.journal.Journal` from :func:`~drills.journal.read_journal` to see the
    replay's warnings in ``journal.warnings``.

    A rebuild imports code the journal names (the scenario's ``automation.callable``, a
    runbook step's ``call:``) only when ``trust`` allows it: pass
    ``CodeTrust(everything=True)`` for a journal you trust; the default trusts only the
    modules ``DRILLS_TRUSTED`` lists, and anything else raises
    :class:`~drills.engine.hooks.UntrustedCodeError`.
    """
    # Imported here: a scripted drill never pays for the live drills' terminal machinery.
    from drills.responders.live.replay import report_from_live_journal

    return _journal_report(journal, live=report_from_live_journal, trust=trust)
