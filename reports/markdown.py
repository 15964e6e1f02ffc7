"""The drill report as one Markdown page, to paste into a wiki page or a ticket.

A drill is discussed where the team already works, so the page must survive a paste:
plain pipe tables (GitHub, GitLab, most wikis), no HTML, and every value from
the report escaped so a ``|`` in a finding cannot split a table cell and a ``_`` in a
field name cannot start italics. It holds what a retrospective needs and no more:
the headline, the timings, damage, findings, what to fix first, the restart
checklist, the notes really sent, the drafted messages and an excerpt of the shared
action log (the HTML report has all of it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from drills.reports._present import (
    PHASE_LABELS,
    cost_text,
    findings_by_severity,
    fix_first,
    fmt_clock,
    fmt_minute,
    fmt_pct,
    interrupted_note,
    log_excerpt,
    no_source_text,
    ordered_phases,
    overall_scope,
)
from drills.reports.comparison import comparison_rows, scope_rows
from drills.reports.incidenttext import (
    INCIDENT_NOTE,
    INCIDENT_TITLE,
    curve_rows,
    incident_rows,
    incident_sentence,
)
from drills.reports.messages import (
    DRAFT_LABEL,
    NOTHING_SENT,
    SENT_HEADERS,
    sent_rows,
    sent_title,
)
from drills.reports.model import DrillReport, LogEntry
from drills.reports.scoretext import harm_rows, score_title, summary_lines

__all__ = ["md_escape", "md_table", "render_markdown"]

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def md_escape(text: str) -> str:
    """Escape Markdown's inline syntax and fold the text onto one line (a table cell)."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def md_table(headers: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> str:
    """A pipe table. Cells must already be escaped; ``align`` has one ``l`` or ``r`` per
    column (left by default)."""
    marks = [("---:" if align[i:i + 1] == "r" else "---") for i in range(len(headers))]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(marks) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _code(text: str) -> str:
    """Inline code, or escaped plain text when the value holds a backtick itself."""
    return md_escape(text) if "`" in text else f"`{' '.join(text.split())}`"


def _quote(text: str) -> str:
    """A blockquote that keeps the draft's lines (two trailing spaces: a hard line break
    every Markdown dialect knows) and its paragraphs."""
    lines = text.splitlines()
    out = []
    for i, line in enumerate(lines):
        if not line.strip():
            out.append(">")
            continue
        follows = i + 1 < len(lines) and lines[i + 1].strip()
        out.append(f"> {md_escape(line)}" + ("  " if follows else ""))
    return "\n".join(out)


def _log_rows(entries: list[LogEntry]) -> list[list[str]]:
    return [[f"{e.at:%H:%M:%S}", md_escape(e.who), md_escape(e.what)] for e in entries]


def _versus(report: DrillReport) -> list[str]:
    """A live drill's "Team vs runbook" section (nothing for a scripted drill)."""
    c = report.comparison
    if c is None:
        return []
    lines = [
        "## Team vs runbook",
        "",
        "The live team's real times beside the same seeded drill with the runbook followed "
        "perfectly (minutes after the bad run started).",
        "",
        md_table(["", "team", "runbook"],
                 [[md_escape(w), t, r] for w, t, r in comparison_rows(c)], "lrr"),
        "",
    ]
    if c.scope:
        lines += [
            "The team's submitted scope:",
            "",
            md_table(["table", "damaged", "tagged", "found", "precision", "recall"],
                     [[_code(row[0]), *row[1:]] for row in scope_rows(c.scope)], "lrrrrr"),
            "",
        ]
    return lines


def _incident(report: DrillReport) -> list[str]:
    """An imported scenario's drill: the real incident beside it (nothing otherwise)."""
    c = report.incident
    if c is None:
        return []
    return [
        f"## {INCIDENT_TITLE}",
        "",
        f"{md_escape(c.source)} · {md_escape(c.actor)}: {md_escape(c.reading)}",
        "",
        md_table(["", "real incident", "this drill"],
                 [[md_escape(what), md_escape(real), md_escape(drill)]
                  for what, real, drill in incident_rows(c, interrupted=report.interrupted)],
                 "lrr"),
        "",
        md_table(["system", "", "changes per minute", ""],
                 [[md_escape(system), side, f"`{curve}`" if peak else md_escape(curve), peak]
                  for system, side, curve, peak in curve_rows(c)]),
        "",
        INCIDENT_NOTE,
        "",
        f"**{md_escape(incident_sentence(c, interrupted=report.interrupted))}**",
        "",
    ]


def render_markdown(report: DrillReport) -> str:
    """The whole page, ending in a newline."""
    o = report.outcome
    out: list[str] = [f"# {md_escape(report.headline())}", ""]
    note = interrupted_note(report)
    if note is not None:
        out += [f"> **{md_escape(note)}**", ""]
    runbook = (
        f"runbook {_code(report.runbook.path) if report.runbook.path else 'not saved'}, owner "
        f"{md_escape(report.runbook.owner or 'nobody named')}"
        if report.runbook else "no runbook"
    )
    out += [
        f"**Scenario** {_code(report.scenario.name)}: {md_escape(report.scenario.title)}  ",
        f"**Seed** {report.seed} · **responder** {report.responder} · "
        f"**drill** {_code(report.drill_id)} · {report.started:%Y-%m-%d %H:%M} to "
        f"{report.finished:%H:%M} drill time · {runbook}",
        "",
        md_table(
            ["to detect", "to contain", "damaged", "after detection", "left wrong",
             "edits overwritten", "duplicates left", "sent wrongly", "unreconciled"],
            [[fmt_minute(o.minutes_to_detect),
              fmt_minute(o.minutes_to_contain) if o.contained else "never",
              f"{o.records_damaged:,}", f"{o.records_damaged_after_detection:,}",
              f"{o.records_left_wrong:,}", f"{o.human_edits_overwritten:,}",
              f"{o.duplicates_left:,}", f"{o.messages_sent_wrongly:,}", f"{o.unreconciled:,}"]],
            "rrrrrrrrr",
        ),
        "",
        "## Phases",
        "",
        md_table(
            ["phase", "clock", "minute", "how"],
            [[PHASE_LABELS[p.name], fmt_clock(p.at), fmt_minute(p.minute), md_escape(p.how)]
             for p in ordered_phases(report)],
            "llrl",
        ),
        "",
        *_versus(report),
        *_incident(report),
        "## Damage by system",
        "",
    ]
    total = overall_scope(report.systems)
    rows = [
        [md_escape(s.system), f"{s.damaged:,}", f"{s.after_detection:,}",
         "yes" if s.scoped else ("**no**" if s.damaged else "no"),
         f"{s.changed:,}", f"{s.wrong:,}", f"{s.safe:,}", f"{s.unclear:,}",
         fmt_pct(s.precision), fmt_pct(s.recall), f"{s.repaired:,}",
         f"**{s.left_wrong:,}**" if s.left_wrong else "0"]
        for s in report.systems
    ]
    rows.append(["**all**", f"{total.damaged:,}", f"{total.after_detection:,}", "",
                 f"{total.changed:,}", f"{total.wrong:,}", f"{total.safe:,}",
                 f"{total.unclear:,}", fmt_pct(total.precision), fmt_pct(total.recall),
                 f"{total.repaired:,}", f"{total.left_wrong:,}"])
    out += [
        md_table(["system", "damaged", "after detection", "scoped", "changed", "wrong", "safe",
                  "unclear", "precision", "recall", "repaired", "left wrong"], rows,
                 "lrrlrrrrrrrr"),
        "",
        f"Scope precision **{fmt_pct(total.precision)}** (share of scoped records really "
        f"damaged), recall **{fmt_pct(total.recall)}** (share of damaged records the scope "
        "found).",
        "",
        *([md_escape(missing), ""] if (missing := no_source_text(report.outcome)) else []),
        "## What to fix first",
        "",
    ]
    ranked = fix_first(report)
    out += [
        f"{n}. **`{f.code}`** ({f.severity.value}, {cost_text(f.cost)}): {md_escape(f.fix)}"
        for n, f in enumerate(ranked, start=1)
    ] or ["Nothing: no finding worth fixing first."]
    out += ["", f"## Findings ({len(report.findings)})", ""]
    groups = findings_by_severity(report.findings)
    for severity, findings in groups:
        out += [
            f"### {severity.value.capitalize()} ({len(findings)})",
            "",
            md_table(
                ["finding", "check", "what is wrong", "fix", "cost", "where"],
                [[f"`{f.code}`", f.check.value, md_escape(f.message), md_escape(f.fix),
                  cost_text(f.cost), md_escape(f.where) if f.where else ""]
                 for f in findings],
            ),
            "",
        ]
    if not groups:
        out += ["No findings.", ""]
    out += [f"## {score_title(report)}", ""]
    if report.score.items and not report.score.harm:
        out += [
            md_table(
                ["check", "points", "lost to"],
                [[i.check.value, f"{i.points:g}/{i.max_points:g}",
                  ", ".join(f"`{code}`" for code in i.lost_to)] for i in report.score.items],
                "lrl",
            ),
            "",
        ]
    else:
        out += [
            md_table(["harm", "weight", "this drill", "do nothing", "perfect"],
                     [[md_escape(row[0]), *row[1:]] for row in harm_rows(report.score)],
                     "lrrrr"),
            "",
        ]
    out += [f"- {md_escape(line)}" for line in summary_lines(report.score)] + [""]
    if report.reconcile:
        out += [
            "## Counts across systems",
            "",
            md_table(
                ["left", "count", "right", "count", "mismatched", ""],
                [[md_escape(r.left), f"{r.left_count:,}", md_escape(r.right),
                  f"{r.right_count:,}", f"{r.mismatched:,}", "ok" if r.ok else "**differ**"]
                 for r in report.reconcile],
                "lrlrrl",
            ),
            "",
        ]
    out += ["## Restart checklist", ""]
    out += [
        f"- [{'x' if item.done else ' '}] {md_escape(item.item)}"
        + (f": {md_escape(item.detail)}" if item.detail else "")
        for item in report.restart_checklist
    ] or ["No restart checklist."]
    c = report.comms
    out += ["", "## Messages", ""]
    if c.sent:
        rows = sent_rows(c, live=report.responder == "live")
        out += [f"**{sent_title(c)}:**", "",
                md_table(list(SENT_HEADERS), [[md_escape(cell) for cell in row] for row in rows],
                         "rrlllrll"), ""]
    elif c.first_note_at is not None:  # a report from before drills kept the notes sent
        out += [f"First note sent at {c.first_note_at:%H:%M}, {c.updates_sent} updates "
                "after it.", ""]
    else:
        out += [f"**{md_escape(NOTHING_SENT)}**", ""]
    out += [f"**{md_escape(DRAFT_LABEL)}:**", "", _quote(c.first_note), ""]
    if c.customer_message:
        out += ["**Customer message:**", "", _quote(c.customer_message), ""]
    else:
        out += ["No customer message.", ""]
    head, skipped, tail = log_excerpt(report.log)
    out += [f"## Shared action log ({len(report.log)} entries)", ""]
    log_rows = _log_rows(head)
    if skipped:
        log_rows.append(["…", "", f"*{skipped} more entries: see the HTML or JSON report*"])
        log_rows += _log_rows(tail)
    out += [md_table(["clock", "who", "what"], log_rows) if log_rows else "No entries.", ""]
    out += [f"*drills {md_escape(report.tool_version)} · report schema "
            f"{report.schema_version} · backend {md_escape(report.backend)}*", ""]
    return "\n".join(out)
