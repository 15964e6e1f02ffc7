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

import os
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from drills.errors import DrillsError, did_you_mean
from drills.fakes.active import CATALOG, builtin_catalog, using_catalog
from drills.fakes.catalog import Catalog
from drills.files.atomic import write_texts_atomic
from drills.runbook import Runbook, parse_stop_rule
from drills.runbook.complete import complete_sections
from drills.runbook.profiles import TableProfile, default_table, profiles
from drills.scenarios.faults import FAULT_KINDS, FAULTS, ScaffoldSite
from drills.scenarios.loader import world_of_file
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


PROFILES: dict[str, TableProfile] = profiles(builtin_catalog())
"""Built-in tables ``drills init`` can scaffold a job on -> how a job there behaves (the
``job:`` hints of ``builtin.yaml``); a declared world's come from :func:`profiles`."""

DEFAULT_TABLE = default_table(builtin_catalog()) or next(iter(PROFILES))


def _examples(catalog: Catalog) -> tuple[dict[str, str], str]:
    """Each system's default table, and an example ``--feeder``, in ``catalog``."""
    found = profiles(catalog)
    of_system = {t.split(".")[0]: t for t in reversed(found)}
    first = default_table(catalog) or "system.table"
    system, _, short = first.partition(".")
    return of_system, f"webhook:{system}.{_singular(short)}-updated"


def _singular(name: str) -> str:
    """``companies`` -> ``company``, ``invoices`` -> ``invoice``: a webhook's event name."""
    return name[:-3] + "y" if name.endswith("ies") else name.rstrip("s")


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


def parse_feeder(text: str, catalog: Catalog | None = None) -> Feeder:
    """'webhook:billing.invoice-updated' -> a Feeder; schedules run hourly until edited."""
    kind, sep, name = text.partition(":")
    kind, name = kind.strip(), name.strip()
    if not sep or not kind or not name:
        example = _examples(catalog or builtin_catalog())[1]
        raise ScaffoldError(
            f"--feeder {text!r} is not KIND:NAME; write it like '{example}' "
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


def resolve_table(system: str | None, table: str | None,
                  catalog: Catalog | None = None) -> str:
    """The table the job works through, from ``--table``, ``--system`` or the default,
    in ``catalog`` (the ``--world``'s systems, else the built-in ones)."""
    catalog = catalog or builtin_catalog()
    found = profiles(catalog)
    of_system, _ = _examples(catalog)
    with using_catalog(catalog):
        if system is not None:
            try:
                check_system(system)
            except ValueError as err:
                raise ScaffoldError(f"--system: {err}") from None
        if table is None:
            if system is None:
                chosen = default_table(catalog)
                if chosen is None:
                    raise ScaffoldError(
                        "--world: none of its tables has a status-like field (a choice of "
                        "three values or more) and a text field; add 'job:' hints to one "
                        "(see docs/worlds.md)")
                return chosen
            if system not in of_system:
                raise ScaffoldError(
                    f"--system {system}: drills init cannot scaffold a job that works through "
                    f"{system}; pick one of: {', '.join(sorted(of_system))}"
                )
            return of_system[system]
        try:
            CATALOG.table(table)
        except DrillsError as err:
            raise ScaffoldError(f"--table: {err}") from None
    if table not in found:
        raise ScaffoldError(
            f"--table {table}: drills init cannot scaffold a job that works through it; "
            f"pick one of: {', '.join(found)}"
        )
    if system is not None and table.split(".")[0] != system:
        raise ScaffoldError(
            f"--table {table} is not in --system {system}; drop --system or name one of its tables"
        )
    return table


def default_fault(touches: Sequence[str], table: str, catalog: Catalog | None = None) -> str:
    """A fault that fits the job: the registry's pick for messaging jobs or for the others.

    Today repeated sends for messaging jobs and a bad mapping otherwise (each kind's
    ``scaffold.default_for`` in :mod:`drills.scenarios.faults`).
    """
    catalog = catalog or builtin_catalog()
    profile = profiles(catalog).get(table)
    messaging = ("customer_messages" in touches and profile is not None
                 and profile.email is not None and catalog.outbox is not None)
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
    world: Path | None = None
    """A ``world.yaml`` declaring the team's own systems (``--world``); None: built-in."""
    folder: Path = Path(".")
    """Where the scenario is written: ``world`` is named relative to it."""

    @property
    def catalog(self) -> Catalog:
        if self.world is None:
            return builtin_catalog()
        try:
            return world_of_file(self.world)
        except DrillsError as err:
            raise ScaffoldError(f"--world: {err}") from None


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


def _scenario_data(opts: InitOptions, fault: str, touches: list[str],
                   catalog: Catalog) -> dict[str, Any]:
    table = opts.table
    profile = profiles(catalog)[table]
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
    webhook = f"{system}.{_singular(short)}-updated"
    if not feeders:
        feeders = [{"kind": "webhook", "name": webhook},
                   {"kind": "schedule", "name": f"{opts.name}.catch-up", "every": "1h"}]
        if sends:
            feeders.append({"kind": "queue", "name": catalog.messages_table()})
        if any("log_activity" in s or "create_record" in s for s in does):
            feeders.append({"kind": "chained", "name": f"{opts.name}.follow-up"})
    counts: dict[str, Any] = {}
    for name, n in {**profile.also, table: profile.count}.items():
        sys_name, tbl = name.split(".")
        counts.setdefault(sys_name, {})[tbl] = n
    if sends:
        counts.setdefault(catalog.messages_table().split(".")[0], {})
    if opts.world is not None:
        counts = {"declared": _relative(opts.world, opts.folder), **counts}
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
    if opts.world is not None:  # the runbook names the scenario whose systems it uses
        data = {"automation": data.pop("automation"),
                "world": scenario_path(Path("."), opts.name).name, **data}
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


def _relative(world: Path, folder: Path) -> str:
    """``world`` as the scenario in ``folder`` names it."""
    return Path(os.path.relpath(world.resolve(), folder.resolve())).as_posix()


def _validate(model: type[Scenario] | type[Runbook], data: dict[str, Any], what: str,
              context: dict[str, Any]) -> Any:
    """Load ``data`` through the real model and its cross-check, or say why not in one line."""
    try:
        loaded = model.model_validate(data, context=context)
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
    catalog = opts.catalog
    found = profiles(catalog)
    if opts.table not in found:
        resolve_table(None, opts.table, catalog)
    fault = opts.fault or default_fault(opts.touches, opts.table, catalog)
    if fault not in FAULT_KINDS:
        raise ScaffoldError(f"--fault: unknown fault kind '{fault}'"
                            f"{did_you_mean(fault, FAULT_KINDS)}")
    touches = list(opts.touches)
    if FAULTS[fault].scaffold.needs_review and "customer_messages" not in touches:
        touches.append("customer_messages")
    if "customer_messages" in touches and catalog.outbox is None:
        raise ScaffoldError("--touches customer_messages: the --world has no table of "
                            "outgoing messages; declare one with 'messages: true' "
                            "(see docs/worlds.md)")
    if "customer_messages" in touches and found[opts.table].email is None:
        raise ScaffoldError(
            f"{opts.table} holds no email address, so a job on it cannot message "
            f"customers; pick a --table with one: "
            + (", ".join(t for t, p in found.items() if p.email is not None) or "none has")
        )
    scenario_data = _scenario_data(opts, fault, touches, catalog)
    context = {"base": opts.folder}
    scenario: Scenario = _validate(Scenario, scenario_data, "scenario", context)
    runbook_data = _runbook_data(opts, scenario, touches, fault)
    with using_catalog(scenario.catalog):
        runbook: Runbook = _validate(Runbook, runbook_data, "runbook", context)
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
