"""``drills validate`` on the delivery faults' bad values: one line with the file, the line,
what is wrong and how to mend it; exit code 2. Each case is a library scenario with one
value changed, checked through the real command in its own process; and ``drills
scenarios --json`` lists the new kinds with their library scenarios.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).parents[2]
LIBRARY = REPO / "scenarios" / "library"

# (case, library scenario, text replaced, its replacement, the expected line after the path)
CASES: list[tuple[str, str, str, str, str]] = [
    ("storm-via-a-schedule", "order-paid-webhook-redelivered",
     "    - {kind: webhook, name: payments.order-paid, retry: {every: 5m, for: 3h}}\n",
     "    - {kind: schedule, name: payments.order-paid, every: 5m}\n",
     "38:8: a redelivery storm comes from a sender that redelivers: name a webhook or queue "
     "feeder in 'via', or give the job a webhook trigger (fault.via)"),
    ("storm-makes-nothing", "order-paid-webhook-redelivered",
     "    - send_email: {template: order-update, to: shop.orders.customer_email}\n", "",
     "33:9: the automation creates nothing (no email, activity or record), so a redelivered "
     "event changes nothing (fault.kind); drill a job that sends or creates, or pick another "
     "fault kind"),
    ("reorder-value-it-never-holds", "dispatch-events-out-of-order",
     "  older: processing", "  older: lost",
     "34:10: 'shop.orders.status' never holds 'lost' (fault.older); choose one of: "
     "cancelled, delivered, pending, processing, shipped"),
    ("reorder-same-value", "dispatch-events-out-of-order",
     "  older: processing", "  older: shipped",
     "34:10: the job itself sets 'shop.orders.status' to 'shipped', so the older event "
     "changes nothing (fault.older); name the value the record held before (e.g. the job's "
     "where-filter value)"),
    ("reorder-field-not-written", "dispatch-events-out-of-order",
     "  field: shop.orders.status", "  field: shop.orders.note",
     "33:10: the automation never writes 'shop.orders.note' (fault.field); name the field "
     "the job sets from each event"),
    ("dropped-share-in-words", "crm-conversions-lost-in-outage",
     "  lost: 25%", "  lost: 25 percent",
     "33:9: a share is a percentage like '25%', not '25 percent' (fault.lost)"),
    ("dropped-nothing-lost", "crm-conversions-lost-in-outage",
     "  lost: 25%", "  lost: 0%",
     "33:9: must be more than 0, got 0% (fault.lost); raise it"),
    ("dropped-job-creates", "crm-conversions-lost-in-outage",
     "  touches: [customer_messages]",
     "    - send_email: {template: welcome, to: crm.contacts.email}\n"
     "  touches: [customer_messages]",
     "33:9: the automation also creates records (email.outbox) (fault.kind); a lost event's "
     "records would simply be missing, which reconcile counts but no repair here recreates; "
     "drill dropped deliveries on a job that only writes fields"),
    ("delayed-no-hold", "card-payments-arrive-late",
     "  held_for: 90m", "  held_for: 0s",
     "34:13: every 0s is no schedule (fault.held_for); write at least 1s, like '5m'"),
    ("delayed-writes-elsewhere", "card-payments-arrive-late",
     "    - set_field: {field: billing.invoices.status, value: paid}\n"
     "    - set_field: {field: billing.invoices.notes, value: Paid by card (processor webhook)}\n",
     "    - log_activity: billing.activity\n",
     "32:9: the automation writes no field of 'billing.invoices', so a late event overwrites "
     "nothing a person changed on the records it is about (fault.kind); drill a job that "
     "sets a field of the records it works through"),
    ("partial-target-not-written", "welcome-email-timeouts-resent",
     "  target: email.outbox", "  target: billing.invoices",
     "34:11: the automation never writes to 'billing.invoices' (fault.target); it writes to: "
     "crm.contacts, email.outbox"),
    ("partial-nothing-before-the-call", "welcome-email-timeouts-resent",
     "  error: timeout", "  error: rate_limited",
     "34:11: nothing the job makes comes before its write to 'email.outbox', so a retry "
     "repeats nothing (fault.target); name a table written after an email, entry or record "
     "the job makes, or use error: timeout on one it creates"),
    ("partial-unknown-error", "welcome-email-timeouts-resent",
     "  error: timeout", "  error: teapot",
     "36:10: unknown value 'teapot' (fault.error); did you mean 'timeout'?"),
]


def drills(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "drills", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def runs(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, tuple[Path, subprocess.CompletedProcess[str]]]:
    """Every case written to its own file and validated, the processes side by side."""
    folder = tmp_path_factory.mktemp("delivery")
    files: dict[str, Path] = {}
    for case, name, old, new, _ in CASES:
        text = (LIBRARY / f"{name}.yaml").read_text(encoding="utf-8")
        assert text.count(old) == 1, (case, old)
        path = folder / f"{case}.yaml"
        path.write_text(text.replace(old, new), encoding="utf-8")
        files[case] = path
    with ThreadPoolExecutor(max_workers=4) as pool:
        done = dict(zip(files, pool.map(lambda p: drills("validate", str(p)), files.values()),
                        strict=True))
    return {case: (files[case], done[case]) for case in files}


@pytest.mark.parametrize(("case", "expected"), [(c[0], c[4]) for c in CASES],
                         ids=[c[0] for c in CASES])
def test_a_bad_delivery_fault_value_is_one_line_and_exit_2(
    runs: dict[str, tuple[Path, subprocess.CompletedProcess[str]]], case: str, expected: str
) -> None:
    path, result = runs[case]
    assert (result.stdout, result.stderr) == (f"{path}:{expected}\n", "")
    assert result.returncode == 2


def test_scenarios_json_lists_the_delivery_kinds_and_their_scenarios() -> None:
    result = drills("scenarios", "--json")
    assert result.returncode == 0, result.stderr
    listed = {(row["fault"], row["name"]) for row in json.loads(result.stdout)}
    assert {("redelivery_storm", "order-paid-webhook-redelivered"),
            ("reordered_deliveries", "dispatch-events-out-of-order"),
            ("dropped_deliveries", "crm-conversions-lost-in-outage"),
            ("delayed_deliveries", "card-payments-arrive-late"),
            ("partial_failure", "welcome-email-timeouts-resent")} <= listed


def test_init_refuses_dropped_deliveries_for_a_job_that_creates_records(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-m", "drills", "init", "job", "--fault", "dropped_deliveries",
         "--touches", "customer_messages"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2
    assert result.stderr == (
        "drills: error: --fault dropped_deliveries drills a job that only writes fields, and "
        "a job on billing.invoices here also sends or creates records; leave out --touches "
        "customer_messages, pick a --table whose job only sets a field, or another --fault\n")
    assert list(tmp_path.iterdir()) == []  # nothing half-written


@pytest.mark.parametrize("kind", ["redelivery_storm", "reordered_deliveries",
                                  "delayed_deliveries", "partial_failure"])
def test_init_scaffolds_a_delivery_fault_that_validates(kind: str, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    made = subprocess.run(
        [sys.executable, "-m", "drills", "init", "job", "--fault", kind, "--touches",
         "customer_messages"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert made.returncode == 0, made.stderr
    check = subprocess.run(
        [sys.executable, "-m", "drills", "validate", "job.scenario.yaml", "job.runbook.yaml"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert check.returncode == 0, check.stdout
    assert f"kind: {kind}" in (tmp_path / "job.scenario.yaml").read_text(encoding="utf-8")
