"""Scaffold a runbook and a matching scenario for a new automation (``drills init``).

A team launching an automation needs the one-page runbook of rule 8 (docs/rules.md) *and* a
drill to test it with; writing either from a blank page is where the missing export
and the unnamed owner come from. So the scaffold writes both at once, fitted to the
table the job works through and to what it can hurt: jobs that touch money, customer
messages, legal records or access get stricter stop rules and a faster first note
(rule 1), and the scenario drills a fault that fits the job.

Everything is built as plain data, validated through the real models
(:class:`~drills.scenarios.schema.Scenario`, :class:`~drills.runbook.Runbook`, including their
cross-checks) and only then rendered, so a scaffold that would not load is an error
here, never a file on disk. Placeholders the team must replace (``TBD`` owners, the
cause sentence) are deliberately left for ``drills check`` to flag rather than
invented: a made-up owner name would look finished.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from drills.errors import DrillsError, did_you_mean
from drills.fakes.active import CATALOG
from drills.files.atomic import write_texts_atomic
from drills.runbook import Runbook, parse_stop_rule
from drills.runbook.complete import complete_sections
from drills.scenarios.faults import FAULT_KINDS, FAULTS, ScaffoldSite
from drills.scenarios.schema import (
    FEEDER_KINDS,
    RISKS,
    Feeder,
    Scenario,
    check_slug,
    check_system,
)

__all__ = [
    "DEFAULT_TABLE",
    "PLACEHOLDER_OWNER",
    "PROFILES",
    "InitOptions",
    "Scaffold",
    "ScaffoldError",
    "TableProfile",
    "build_scaffold",
    "default_fault",
    "default_stop_rules",
    "is_risky",
    "parse_feeder",
    "parse_stop_rules",
    "parse_touches",
    "resolve_table",
    "runbook_path",
    "scaffold_deliveries",
    "scenario_path",
    "write_scaffold",
]

PLACEHOLDER_OWNER = "TBD"
"""Owner name when none is given: ``drills check`` flags it, so nobody mistakes it for done."""


class ScaffoldError(DrillsError):
    """Input ``drills init`` cannot build a valid runbook and scenario from."""


@dataclass(frozen=True)
class TableProfile:
    """What a typical job on one table does, and the fields each fault kind needs there.

    The values are all legal for the catalog's fields, so the drill's world and the
    job's writes stay plausible (a deal is advanced to 'won', not to 'shipped').
    """

    count: int
    status: str
    """The status-like field the healthy job sets."""
    from_value: str
    """The records the job is meant for (its ``where`` filter)."""
    to_value: str
    """What the job sets the status to."""
    outside_value: str
    """Records outside the filter, which an over-broad filter reaches."""
    into: str
    """The field a wrong mapping writes the status into."""
    blanks: tuple[str, ...]
    email: str | None = None
    template: str = "welcome"
    advance: bool = False
    """Write the step as ``advance_stage`` (a pipeline stage) rather than ``set_field``."""
    creates: dict[str, Any] | None = None
    """An extra healthy step that creates records, as the file writes it."""
    also: dict[str, int] = field(default_factory=dict)
    """Other tables the world needs records in."""


PROFILES: dict[str, TableProfile] = {
    "crm.contacts": TableProfile(
        count=2000, status="status", from_value="lead", to_value="active",
        outside_value="churned", into="notes", blanks=("email", "phone"),
        email="email", template="welcome",
    ),
    "crm.deals": TableProfile(
        count=800, status="stage", from_value="negotiation", to_value="won",
        outside_value="proposal", into="notes", blanks=("notes",), advance=True,
        creates={"create_record": {
            "table": "billing.invoices",
            "copy": {"customer_id": "contact_id", "amount_cents": "amount_cents"},
            "values": {"status": "open", "currency": "EUR", "billing_terms": "net30"},
        }},
        also={"billing.invoices": 1500},
    ),
    "billing.invoices": TableProfile(
        count=3000, status="status", from_value="open", to_value="overdue",
        outside_value="paid", into="billing_terms", blanks=("customer_email",),
        email="customer_email", template="invoice-reminder",
        creates={"log_activity": "billing.activity"}, also={"billing.activity": 1000},
    ),
    "support.tickets": TableProfile(
        count=400, status="status", from_value="open", to_value="pending",
        outside_value="solved", into="notes", blanks=("notes",),
    ),
    "shop.orders": TableProfile(
        count=5000, status="status", from_value="processing", to_value="shipped",
        outside_value="delivered", into="note", blanks=("customer_email",),
        email="customer_email", template="order-update",
        creates={"create_record": {
            "table": "billing.invoices",
            "copy": {"customer_email": "customer_email", "customer_name": "customer_name",
                     "amount_cents": "total_cents"},
            "values": {"status": "open", "currency": "EUR", "billing_terms": "net15"},
        }},
        also={"billing.invoices": 4000},
    ),
}
"""Tables ``drills init`` can scaffold a job on -> how a job there behaves."""

DEFAULT_TABLE = "billing.invoices"

_DEFAULT_TABLE_OF = {t.split(".")[0]: t for t in reversed(PROFILES)}
_FEEDER_EXAMPLE = "webhook:billing.invoice-updated"


# -- parsing the flags -----------------------------------------------------------------


def is_risky(touches: Iterable[str]) -> bool:
    """Whether the job touches anything rule 1 says gets the fastest stop."""
    return bool(set(touches) & set(RISKS))


def parse_touches(text: str) -> list[str]:
    """'money, access' -> ['money', 'access']; an unknown word is refused with a did-you-mean."""
    words = [w.strip() for w in text.split(",") if w.strip()]
    for word in words:
        if word not in RISKS:
            raise ScaffoldError(f"--touches: unknown risk '{word}'{did_you_mean(word, RISKS)}")
    return list(dict.fromkeys(words))


def parse_feeder(text: str) -> Feeder:
    """'webhook:billing.invoice-updated' -> a Feeder; schedules run hourly until edited."""
    kind, sep, name = text.partition(":")
    kind, name = kind.strip(), name.strip()
    if not sep or not kind or not name:
        raise ScaffoldError(
            f"--feeder {text!r} is not KIND:NAME; write it like '{_FEEDER_EXAMPLE}' "
            f"(kinds: {', '.join(FEEDER_KINDS)})"
        )
    if kind not in FEEDER_KINDS:
        raise ScaffoldError(
            f"--feeder {text!r}: unknown kind '{kind}'{did_you_mean(kind, FEEDER_KINDS)}"
        )
    try:
        check_slug(name)
    except ValueError as err:
        raise ScaffoldError(f"--feeder {text!r}: {err}") from None
    every = "1h" if kind == "schedule" else None
    return Feeder.model_validate({"kind": kind, "name": name, "every": every})


def parse_stop_rules(texts: Iterable[str]) -> list[str]:
    """Keep each rule as written, but refuse one the engine could not check.

    A runbook file may hold a vague rule (the lint reports it); a scaffold the team
    asked for by flag should not start life with a gap, so here it is an error.
    """
    rules: list[str] = []
    for text in texts:
        rule = parse_stop_rule(text)
        if not rule.parsed:
            raise ScaffoldError(f"--stop-rule: {rule.problem}; {rule.fix}")
        rules.append(rule.canonical)
    return list(dict.fromkeys(rules))


def resolve_table(system: str | None, table: str | None) -> str:
    """The table the job works through, from ``--table``, ``--system`` or the default."""
    if system is not None:
        try:
            check_system(system)
        except ValueError as err:
            raise ScaffoldError(f"--system: {err}") from None
    if table is None:
        if system is None:
            return DEFAULT_TABLE
        if system not in _DEFAULT_TABLE_OF:
            raise ScaffoldError(
                f"--system {system}: drills init cannot scaffold a job that works through "
                f"{system}; pick one of: {', '.join(sorted(_DEFAULT_TABLE_OF))}"
            )
        return _DEFAULT_TABLE_OF[system]
    try:
        CATALOG.table(table)
    except DrillsError as err:
        raise ScaffoldError(f"--table: {err}") from None
    if table not in PROFILES:
        raise ScaffoldError(
            f"--table {table}: drills init cannot scaffold a job that works through it; "
            f"pick one of: {', '.join(PROFILES)}"
        )
    if system is not None and table.split(".")[0] != system:
        raise ScaffoldError(
            f"--table {table} is not in --system {system}; drop --system or name one of its tables"
        )
    return table


def default_fault(touches: Sequence[str], table: str) -> str:
    """A fault that fits the job: the registry's pick for messaging jobs or for the others.

    Today repeated sends for messaging jobs and a bad mapping otherwise (each kind's
    ``scaffold.default_for`` in :mod:`drills.scenarios.faults`).
    """
    messaging = "customer_messages" in touches and PROFILES[table].email is not None
    wanted = "messaging jobs" if messaging else "other jobs"
    return next(name for name, kind in FAULTS.items() if kind.scaffold.default_for == wanted)


def default_stop_rules(fault: str, touches: Sequence[str]) -> list[str]:
    """The rule that trips this fault early, tightened for risky jobs, plus a complaint.

    Risky jobs stop at a quarter of the usual threshold (5 duplicates -> 1), and jobs
    that message customers also stop at one unreviewed or duplicate message (rule 1).
    """
    first = parse_stop_rule(FAULTS[fault].default_stop_rule)
    rules = [first.canonical]
    if is_risky(touches) and first.threshold is not None:
        tight = max(1, int(first.threshold) // 4)
        rules = [first.canonical.replace(f" {int(first.threshold)}", f" {tight}", 1)]
    if "customer_messages" in touches:
        rules += ["duplicate_messages >= 1", "messages_without_review >= 1"]
    rules.append("complaints >= 1")
    return list(dict.fromkeys(rules))


# -- building --------------------------------------------------------------------------


@dataclass(frozen=True)
class InitOptions:
    """Everything ``drills init`` was told or asked; defaults fill the rest."""

    name: str
    table: str = DEFAULT_TABLE
    touches: tuple[str, ...] = ()
    owner: str = PLACEHOLDER_OWNER
    backup_owner: str = PLACEHOLDER_OWNER
    owner_can_pause: bool = True
    feeders: tuple[Feeder, ...] = ()
    stop_rules: tuple[str, ...] = ()
    fault: str | None = None


@dataclass(frozen=True)
class Scaffold:
    """The validated pair, with the file texts to write."""

    scenario: Scenario
    runbook: Runbook
    scenario_text: str
    runbook_text: str


def _action(profile: TableProfile, table: str) -> dict[str, Any]:
    step = "advance_stage" if profile.advance else "set_field"
    return {step: {"field": f"{table}.{profile.status}", "value": profile.to_value}}


def _fault(kind: str, table: str, profile: TableProfile, does: list[dict[str, Any]],
           reach: int) -> dict[str, Any]:
    """The scaffolded ``fault:``: the kind's own keys (from its module), then when and how far."""
    site = ScaffoldSite(
        table=table, status=profile.status, from_value=profile.from_value,
        to_value=profile.to_value, outside_value=profile.outside_value, into=profile.into,
        blanks=profile.blanks, email=profile.email, does=does,
    )
    try:
        keys = FAULTS[kind].scaffold.keys(site)
    except ValueError as err:
        raise ScaffoldError(str(err)) from None
    own_reach = keys.pop("reach", reach)
    return {"kind": kind, **keys, "starts": "5m", "rate": "10/min", "reach": own_reach}


def _scenario_data(opts: InitOptions, fault: str, touches: list[str]) -> dict[str, Any]:
    table = opts.table
    profile = PROFILES[table]
    system, short = table.split(".")
    sends = "customer_messages" in touches
    does: list[dict[str, Any]] = [_action(profile, table)]
    if sends:
        does.append({"send_email": {
            "template": profile.template, "to": f"{table}.{profile.email}",
            "review": FAULTS[fault].scaffold.needs_review,
        }})
    if profile.creates is not None:
        does.append(profile.creates)
    feeders = [f.model_dump(exclude_none=True) for f in opts.feeders]
    webhook = f"{system}.{short.rstrip('s')}-updated"
    if not feeders:
        feeders = [{"kind": "webhook", "name": webhook},
                   {"kind": "schedule", "name": f"{opts.name}.catch-up", "every": "1h"}]
        if sends:
            feeders.append({"kind": "queue", "name": "email.outbox"})
        if any("log_activity" in s or "create_record" in s for s in does):
            feeders.append({"kind": "chained", "name": f"{opts.name}.follow-up"})
    counts: dict[str, dict[str, int]] = {}
    for name, n in {"crm.contacts": 1500, **profile.also, table: profile.count}.items():
        sys_name, tbl = name.split(".")
        counts.setdefault(sys_name, {})[tbl] = n
    if sends:
        counts.setdefault("email", {})
    reach = max(20, profile.count // 10)
    title = f"{opts.name} goes wrong: {fault.replace('_', ' ')} on {table}"
    return {
        "name": opts.name,
        "title": title,
        "summary": (
            f"A scaffolded drill for {opts.name}, which works through {table} and sets "
            f"{profile.status} to '{profile.to_value}'. A {fault.replace('_', ' ')} turns "
            f"its run bad five minutes in; replace this with what could really go wrong."
        ),
        "seed": zlib.crc32(opts.name.encode()) % 10_000,
        "starts": "2026-01-05T09:00:00",
        "runs_for": "2h",
        "world": {
            **counts,
            "warehouse": {"copies": [table], "every": "5m"},
        },
        "automation": {
            "name": opts.name,
            "source": system,
            "trigger": {"webhook": webhook, "on": table},
            "where": {profile.status: profile.from_value},
            "feeders": feeders,
            "does": does,
            "touches": touches,
        },
        "fault": _fault(fault, table, profile, does, reach),
        "people": {
            "edits_per_hour": 15,
            "complaints": {"first_after": FAULTS[fault].scaffold.complaint, "every": "15m"},
            "shadow_fixes": {"start_after_silence": "30m", "per_hour": 15},
        },
    }


def _runbook_data(opts: InitOptions, scenario: Scenario, touches: list[str],
                  fault: str) -> dict[str, Any]:
    data = complete_sections(scenario)
    risky = is_risky(touches)
    owner = {"name": opts.owner, "role": "Automation owner", "can_pause": opts.owner_can_pause}
    data["owner"] = owner
    data["backup_owner"] = {"name": opts.backup_owner, "role": "Backup owner", "can_pause": True}
    data["stop_rules"] = list(opts.stop_rules) or default_stop_rules(fault, touches)
    data["first_safe_action"] = (
        f"Pause {opts.name} now, no meeting needed, then stop everything that feeds it."
        if risky else f"Pause {opts.name}, then stop everything that feeds it."
    )
    data["comms"] = {
        "first_note_within": "5m" if risky else "15m",
        "next_update_every": "30m" if risky else "1h",
        "customer_message": (
            f"Earlier today an automated job in our {scenario.automation.source} system "
            "changed some of your records by mistake. We have paused it and are putting "
            "things right; you need not do anything, and we will write again once it is fixed."
        ),
    }
    deliveries = scaffold_deliveries(scenario, data.get("deliveries"))
    if deliveries:
        data = {k: v for k, v in data.items() if k != "deliveries"}
        at = list(data).index("snapshot")
        items = list(data.items())
        data = dict([*items[:at], ("deliveries", deliveries), *items[at:]])
    data["restart"]["approver"] = {"name": opts.owner, "role": "Automation owner"}
    data["restart"]["cause"] = (
        "Not known yet: after a drill or incident, write the exact cause here in one sentence."
    )
    return data


SCAFFOLD_RETRY = {"every": "10m", "for": "24h"}
"""The retry policy scaffolded for a webhook's sender: often enough that held events
arrive soon after the restart, long enough that none is given up during an incident."""


def scaffold_deliveries(scenario: Scenario, given: dict[str, Any] | None) -> dict[str, Any]:
    """The ``deliveries`` steps for a job fed by webhooks or queues (senders that
    redeliver): dedupe by event id, hold each webhook to drain after the fix, and set its
    sender's retry policy; ``given`` (the complete runbook's, for a delivery fault) first."""
    out = dict(given or {})
    feeders = scenario.automation.feeders
    webhooks = [f.name for f in feeders if f.kind == "webhook"]
    if not webhooks and not any(f.kind == "queue" for f in feeders):
        return out
    out.setdefault("dedupe", "event_id")
    if webhooks:
        out["hold"] = list(dict.fromkeys([*out.get("hold", []), *webhooks]))
        out["retry"] = [{"feeder": name, **SCAFFOLD_RETRY} for name in webhooks]
    order = ("dedupe", "latest_per_record", "hold", "retry")
    return {k: out[k] for k in order if k in out}


def _validate(model: type[Scenario] | type[Runbook], data: dict[str, Any], what: str) -> Any:
    """Load ``data`` through the real model and its cross-check, or say why not in one line."""
    try:
        loaded = model.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ScaffoldError(f"the {what} would not load: {where}: {first['msg']}") from None
    issues = loaded.cross_check()
    if issues:
        path, message = issues[0]
        where = ".".join(str(p) for p in path)
        raise ScaffoldError(f"the {what} would not load: {where}: {message}")
    return loaded


def build_scaffold(opts: InitOptions) -> Scaffold:
    """The validated runbook and scenario for ``opts``, rendered but not written."""
    try:
        check_slug(opts.name)
    except ValueError as err:
        raise ScaffoldError(f"NAME: {err}") from None
    for flag, person in (("--owner", opts.owner), ("--backup-owner", opts.backup_owner)):
        if not person.strip():
            raise ScaffoldError(f"{flag} is empty; name one person, like 'Dana Whitfield'")
    if opts.table not in PROFILES:
        resolve_table(None, opts.table)
    fault = opts.fault or default_fault(opts.touches, opts.table)
    if fault not in FAULT_KINDS:
        raise ScaffoldError(f"--fault: unknown fault kind '{fault}'"
                            f"{did_you_mean(fault, FAULT_KINDS)}")
    touches = list(opts.touches)
    if FAULTS[fault].scaffold.needs_review and "customer_messages" not in touches:
        touches.append("customer_messages")
    if "customer_messages" in touches and PROFILES[opts.table].email is None:
        raise ScaffoldError(
            f"{opts.table} holds no email address, so a job on it cannot message "
            f"customers; pick a --table with one: "
            + ", ".join(t for t, p in PROFILES.items() if p.email is not None)
        )
    scenario_data = _scenario_data(opts, fault, touches)
    scenario: Scenario = _validate(Scenario, scenario_data, "scenario")
    runbook_data = _runbook_data(opts, scenario, touches, fault)
    runbook: Runbook = _validate(Runbook, runbook_data, "runbook")
    return Scaffold(
        scenario=scenario,
        runbook=runbook,
        scenario_text=_scenario_header(opts.name) + _dump(scenario_data),
        runbook_text=_runbook_header(opts.name, touches) + _dump(runbook_data),
    )


# -- rendering and writing -------------------------------------------------------------


class _NoAliases(yaml.SafeDumper):
    """Writes a list shared by two sections twice: '&id001' anchors confuse people."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _dump(data: dict[str, Any]) -> str:
    text: str = yaml.dump(data, Dumper=_NoAliases, sort_keys=False, default_flow_style=None,
                          width=100, allow_unicode=True)
    return text


def _runbook_header(name: str, touches: Sequence[str]) -> str:
    risk = (f"It touches {', '.join(touches)}, so its stop rules are strict and the "
            "first note goes out fast." if is_risky(touches) else
            "Add --touches when it can hurt money, customer messages, legal records or access.")
    return (
        f"# One-page runbook for {name} (rule 8 of docs/rules.md), scaffolded by `drills init`.\n"
        f"# {risk}\n"
        "# Fill in before launch:\n"
        "#   - owner, backup_owner, restart.approver: one named person each (not a team),\n"
        "#     who can be reached at 3 a.m.; add a 'contact'. 'TBD' fails `drills check`.\n"
        "#     The approver is someone other than the owner, who restarts the job.\n"
        "#   - stop_rules: checkable thresholds for this job (`drills check` lists metrics).\n"
        "#   - pause: the real names of the job, its feeders and queues; add 'takes: 2m'.\n"
        "#   - last_clean_export.where: where the last export really lives, and how often.\n"
        "#   - comms.customer_message: the sentence customers would actually get.\n"
        "#   - restart.cause: replace the placeholder after a drill or an incident with\n"
        "#     the mechanism: which part of the job did what (rule 7 of docs/rules.md).\n"
        f"# Then: drills check {name}.runbook.yaml --scenario {name}.scenario.yaml\n"
    )


def _scenario_header(name: str) -> str:
    return (
        f"# A drill for {name}, scaffolded by `drills init` to match {name}.runbook.yaml.\n"
        "# Fill in so the drill looks like your world:\n"
        "#   - world: record counts close to production, and every table the job copies to.\n"
        "#   - automation: the real trigger, feeders (schedules, webhooks, chained jobs,\n"
        "#     queues) and what the job does.\n"
        "#   - fault: the failure you fear most, with a realistic rate and reach.\n"
        "#   - people: how busy the systems are, and when customers complain.\n"
        f"# Then: drills validate {name}.scenario.yaml\n"
    )


def runbook_path(folder: Path, name: str) -> Path:
    return folder / f"{name}.runbook.yaml"


def scenario_path(folder: Path, name: str) -> Path:
    return folder / f"{name}.scenario.yaml"


def write_scaffold(scaffold: Scaffold, folder: Path, *, force: bool = False) -> list[Path]:
    """Write both files, or neither: existing files are refused unless ``force``.

    Both texts go to temporary files first and are renamed into place together, so an
    error (a full disk, a folder that is not one) leaves no half-written pair behind.
    """
    name = scaffold.runbook.automation
    targets = [(runbook_path(folder, name), scaffold.runbook_text),
               (scenario_path(folder, name), scaffold.scenario_text)]
    if not force:
        for path, _ in targets:
            if path.exists():
                raise ScaffoldError(f"{path} exists already; pass --force to overwrite it")
    if folder.exists() and not folder.is_dir():
        raise ScaffoldError(f"--dir {folder} is a file; name a folder for the new files")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_texts_atomic(targets)
    except OSError as err:
        raise ScaffoldError(f"cannot write to {folder}: {err.strerror or err}") from None
    return [path for path, _ in targets]
