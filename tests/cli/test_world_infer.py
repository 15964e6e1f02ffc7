"""``drills world infer``: from an export to a declaration, through the real command.

The main paths and every bad input run the command in its own process (``python -m
drills world infer ...``), the way a user runs it: a bad input is one line on stderr,
exit 2, and no declaration written. The round trip is the acceptance test of issue 24:
a built-in scenario's world exported, inferred, and drilled again on the inferred
world, with the same damage within 2%.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from drills.api import run_drill
from drills.cli.main import cli
from drills.fakes.active import builtin_catalog
from drills.scenarios.declaration import read_declaration
from drills.scenarios.loader import load_scenario

REPO = Path(__file__).parents[2]
COUNTS = {"crm.contacts": 400, "crm.deals": 300, "billing.invoices": 400,
          "billing.activity": 300, "email.outbox": 300, "support.tickets": 300,
          "shop.orders": 300}


def drills(*args: str | Path, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "error",
           "COLUMNS": "100"}
    return subprocess.run(
        [sys.executable, "-m", "drills", *map(str, args)],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False,
    )


def assert_one_line_error(run: subprocess.CompletedProcess[str], message: str) -> None:
    assert (run.returncode, run.stdout, run.stderr) == (2, "", f"drills: error: {message}\n")


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return path


@pytest.fixture
def contacts(tmp_path: Path) -> Path:
    rows: list[list[object]] = [["id", "email", "stage"]]
    rows += [[i, f"person{i}@example.org", ["lead", "won"][i % 2]] for i in range(1, 41)]
    return write_csv(tmp_path / "contacts.csv", rows)


# -- the main paths, in a real process -------------------------------------------------


@pytest.mark.slow
def test_a_drills_export_becomes_a_declaration_of_the_same_tables(tmp_path: Path) -> None:
    export, out = tmp_path / "export", tmp_path / "world.yaml"
    counts = [a for q, n in COUNTS.items() for a in ("--count", f"{q}={n}")]
    made = drills("world", "--seed", "3", *counts, "--export", export)
    assert made.returncode == 0, made.stderr
    files = sorted(export.glob("*.jsonl"))
    run = drills("world", "infer", *files, "--out", out)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    assert run.stdout.splitlines() == [
        f"declaration: {out} (7 tables, 54 fields)",
        "15 choice fields have placeholder values (value_1...): name them, or infer again "
        "with --keep-choices",
        f"use it in a scenario as: world: {{declared: {out}}}",
    ]
    catalog = read_declaration(out).catalog()
    assert catalog.counts() == COUNTS
    assert catalog.table("support.tickets").column("contact_id").generator.ref == (  # type: ignore[union-attr]
        "crm.contacts")


@pytest.mark.slow
def test_bare_file_names_take_the_system_and_force_replaces(
    tmp_path: Path, contacts: Path
) -> None:
    out = tmp_path / "world.yaml"
    out.write_text("old\n")
    run = drills("world", "infer", contacts, "--system", "crm", "--keep-choices",
                 "--out", out, "--force")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        f"declaration: {out} (1 tables, 2 fields)",
        f"use it in a scenario as: world: {{declared: {out}}}",
    ]
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["name"] == "crm"
    assert data["systems"]["crm"]["contacts"] == {"count": 40, "fields": {
        "email": {"type": "email"},
        "stage": {"type": "choice", "values": ["lead", "won"], "weights": [1, 1]},
    }}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# -- bad input: one line, exit 2, nothing written ----------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(("name", "content", "message"), [
    ("missing.csv", None, "{dir}/missing.csv:1:1: no such file; check the path"),
    ("t.xlsx", b"PK\x03\x04", "{dir}/t.xlsx:1:1: extension '.xlsx': not an export drills "
     "can read; give one .csv or .jsonl file per table"),
    ("t.csv", b"", "{dir}/t.csv:1:1: the file holds nothing: nothing to infer from; export "
     "the table with its rows, or leave the file out"),
    ("t.csv", b"id,email\n1,a@b.co\n2\n", "{dir}/t.csv:3:1: 1 cells where the header has 2; "
     "give every row one cell per header column (quote a cell that holds a comma)"),
    ("t.jsonl", b'{"id": 1}\n"just text"\n', "{dir}/t.jsonl:2:1: a JSON string where a "
     'record should be; write one JSON object per line, e.g. {{"id": 1, "email": "..."}}'),
    ("t.csv", b"id,name\n1,\xff\n", "{dir}/t.csv:2:3: not UTF-8 text; export the file as "
     "UTF-8 (in a spreadsheet: CSV UTF-8)"),
])
def test_a_bad_file_is_one_line_and_exit_2(
    tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    if content is not None:
        (tmp_path / name).write_bytes(content)
    out = tmp_path / "world.yaml"
    run = drills("world", "infer", tmp_path / name, "--system", "app", "--out", out)
    assert_one_line_error(run, message.format(dir=tmp_path))
    assert not out.exists()


@pytest.mark.slow
def test_two_files_of_one_table_are_one_line_and_exit_2(tmp_path: Path) -> None:
    a = write_csv(tmp_path / "crm.contacts.csv", [["id", "x"], [1, 2]])
    b = tmp_path / "crm__contacts.jsonl"
    b.write_text('{"id": 1}\n')
    out = tmp_path / "world.yaml"
    run = drills("world", "infer", a, b, "--out", out)
    assert_one_line_error(run, f"{b}:1:1: holds table crm.contacts, as {a} does; pass one "
                               "file per table (the .csv or the .jsonl, not both)")
    assert not out.exists()


@pytest.mark.slow
def test_an_existing_out_is_kept_without_force(tmp_path: Path, contacts: Path) -> None:
    out = tmp_path / "world.yaml"
    out.write_text("mine\n")
    run = drills("world", "infer", contacts, "--system", "crm", "--out", out)
    assert_one_line_error(run, f"--out {out} exists already; pass --force to replace it, or "
                               "choose another path")
    assert out.read_text() == "mine\n"


# -- usage, through click ----------------------------------------------------------------


@pytest.mark.parametrize(("args", "message"), [
    (["--system", "My CRM"], "--system 'My CRM' is not a name a declaration can use; write "
     "it in lower case with _ between words, e.g. --system my_crm"),
    (["--system", "crm", "--out", "{dir}"], "--out {dir} is a folder; give the path of a "
     ".yaml file to write"),
    (["--system", "crm", "--out", "{dir}/no/such/world.yaml"], "--out {dir}/no/such/world.yaml: "
     "the folder {dir}/no/such does not exist; create it or choose another path"),
])
def test_bad_options_are_one_line(
    tmp_path: Path, contacts: Path, args: list[str], message: str
) -> None:
    args = [a.format(dir=tmp_path) for a in args]
    if "--out" not in args:
        args += ["--out", str(tmp_path / "world.yaml")]
    result = CliRunner().invoke(cli, ["world", "infer", str(contacts), *args])
    assert result.exit_code == 2
    assert result.output == f"drills: error: {message.format(dir=tmp_path)}\n"
    assert not (tmp_path / "world.yaml").exists()


def test_infer_through_click_writes_the_declaration(tmp_path: Path, contacts: Path) -> None:
    """The fast loop's main path; ``DRILLS_BACKEND`` (an option of ``drills world`` read
    from the environment) is no reason to refuse ``infer``."""
    out = tmp_path / "world.yaml"
    result = CliRunner(env={"DRILLS_BACKEND": "sqlite"}).invoke(
        cli, ["world", "infer", str(contacts), "--system", "crm", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1] == (
        "1 choice fields have placeholder values (value_1...): name them, or infer again "
        "with --keep-choices")
    assert read_declaration(out).catalog().table("crm.contacts").column("stage").choices == (
        "value_1", "value_2")


def test_the_world_s_own_options_are_refused_before_infer(tmp_path: Path, contacts: Path) -> None:
    result = CliRunner().invoke(cli, ["world", "--seed", "3", "--db", "x.sqlite", "infer",
                                      str(contacts), "--out", str(tmp_path / "w.yaml")])
    assert result.exit_code == 2
    assert result.output == ("drills: error: --seed, --db: options of 'drills world', not of "
                             "'drills world infer'; leave them out\n")


# -- the round trip: export, infer, drill again ------------------------------------------

def on_declared_world(scenario: Path, declared: str, systems: set[str]) -> str:
    """The scenario's text with its per-system counts replaced by ``declared: FILE`` (its
    warehouse and syncs kept as written): edited as text, since YAML 1.1 would read a
    re-dumped ``on:`` key as ``true``."""
    lines, inside = [], False
    for line in scenario.read_text(encoding="utf-8").splitlines():
        if line.startswith("world:"):
            inside = True
            lines += ["world:", f"  declared: {declared}"]
            continue
        if inside and line and not line.startswith(" "):
            inside = False
        if inside and line.startswith("  ") and line[2:].partition(":")[0] in systems:
            continue
        lines.append(line)
    return "\n".join(lines) + "\n"


@pytest.mark.slow
@pytest.mark.parametrize(("name", "backend"), [
    ("contact-status-into-billing-terms", "sqlite"),
    ("crm-blank-emails", "sqlite"),
    pytest.param("contact-status-into-billing-terms", "postgresql", marks=pytest.mark.postgres),
])
def test_a_scenario_on_its_inferred_world_does_the_same_damage(
    tmp_path: Path, name: str, backend: str, request: pytest.FixtureRequest
) -> None:
    """Issue 24's acceptance test: a built-in scenario's world is exported, inferred with
    --keep-choices (its faults and filters name the choices' values), and the scenario
    drilled on the inferred world damages as many records, within 2%."""
    where = request.getfixturevalue("pg_url") if backend == "postgresql" else "sqlite"
    original = load_scenario(name)
    catalog = builtin_catalog()
    counts = {t.qualname: original.world.counts.get(t.qualname, 0) for t in catalog}
    export, declared = tmp_path / "export", tmp_path / "world.yaml"
    made = drills("world", "--seed", str(original.seed), "--start",
                  original.starts.isoformat(), "--export", export,
                  *[a for q, n in counts.items() for a in ("--count", f"{q}={n}")])
    assert made.returncode == 0, made.stderr
    files = [export / f"{q}.jsonl" for q, n in counts.items() if n]
    inferred = drills("world", "infer", *files, "--keep-choices", "--out", declared)
    assert inferred.returncode == 0, inferred.stderr
    copy = tmp_path / "scenario.yaml"
    source = REPO / "scenarios" / "library" / f"{name}.yaml"
    copy.write_text(on_declared_world(source, declared.name, {t.system for t in catalog}),
                    encoding="utf-8")
    again = load_scenario(copy)
    assert again.world.counts == {q: n for q, n in counts.items() if n}
    before = run_drill(original, None, costs=False, backend=where).outcome.records_damaged
    after = run_drill(again, None, costs=False, backend=where).outcome.records_damaged
    assert before > 0
    assert abs(after - before) <= 0.02 * before, (before, after)
