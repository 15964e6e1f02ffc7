"""``drills import`` in a real process: the files it writes, what it prints, and bad input.

Every fixture export (tests/data/imports) is imported and its drill run with
``drills run --out`` in every report format; no personal value of the export may appear
in any file either writes. Each bad input is one line on stderr, exit 2, and leaves the
output folder empty.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.importing.exports import DATA, FIXTURES, leaks, personal_values

REPO = Path(__file__).parents[2]


def drills(*args: str | Path, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "error", "COLUMNS": "100"}
    return subprocess.run([sys.executable, "-m", "drills", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def fixture(name: str) -> Path:
    return DATA / FIXTURES[name].file


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_import_then_drill_writes_no_personal_value(tmp_path: Path, name: str) -> None:
    out = tmp_path / "incident.yaml"
    done = drills("import", fixture(name), "--out", out, "--key", "team-key")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("bad run: ")
    assert f"on {FIXTURES[name].records:,} " in done.stdout
    assert done.stderr == ""  # a given key is not printed again
    assert drills("validate", out).returncode == 0
    ran = drills("run", out, "--out", tmp_path / "report", "--no-costs", "-q")
    assert ran.returncode in (0, 1), ran.stderr
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert {p.suffix for p in written} >= {".yaml", ".md", ".html", ".json", ".xml"}
    values = personal_values(name)
    for path in written:
        assert leaks(path.read_text(encoding="utf-8"), values) == [], path.name


def test_a_made_key_is_printed_once_and_gives_the_same_files_again(tmp_path: Path) -> None:
    first = drills("import", fixture("salesforce"), "--out", tmp_path / "a.yaml")
    assert first.returncode == 0, first.stderr
    (line,) = first.stderr.splitlines()
    assert line.startswith("drills: masking key (printed once, not saved): ")
    key = line.split(": ")[2].split(";")[0]
    again = drills("import", fixture("salesforce"), "--out", tmp_path / "b.yaml", "--key", key)
    other = drills("import", fixture("salesforce"), "--out", tmp_path / "c.yaml", "--key", "x")
    assert (again.returncode, other.returncode) == (0, 0)
    text = {n: (tmp_path / f"{n}.yaml").read_text(encoding="utf-8").replace(f"{n}.world", "W")
            .replace(f"name: {n}", "name: N") for n in "abc"}
    assert text["a"] == text["b"] != text["c"]
    key_file = tmp_path / "key.txt"
    key_file.write_text(key + "\n", encoding="utf-8")
    from_file = drills("import", fixture("salesforce"), "--out", tmp_path / "d.yaml",
                       "--key-file", key_file)
    assert from_file.returncode == 0
    assert from_file.stdout.splitlines()[0] == first.stdout.splitlines()[0]


def test_no_mask_is_said_out_loud(tmp_path: Path) -> None:
    done = drills("import", fixture("changes"), "--out", tmp_path / "x.yaml", "--no-mask")
    assert done.returncode == 0
    assert done.stderr.startswith("drills: warning: --no-mask: ")
    assert "crm-sync@ops-intern.example" in done.stdout


def write_log(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return path


HEADER = ["table", "record", "field", "old", "new", "at", "actor", "run"]


def burst(actor: str, hour: int, field: str) -> list[list[str]]:
    return [["crm.contacts", str(i), field, "x", "", f"2026-03-02T{hour:02d}:{i // 30:02d}:"
             f"{2 * (i % 30):02d}Z", actor, ""] for i in range(60)]


def test_two_bursts_print_both_and_ask_for_one(tmp_path: Path) -> None:
    log = write_log(tmp_path / "log.csv", [HEADER, *burst("job-a", 9, "email"),
                                          *burst("job-b", 11, "phone")])
    out = tmp_path / "out" / "x.yaml"
    out.parent.mkdir()
    done = drills("import", log, "--out", out, "--key", "k")
    assert done.returncode == 2
    lines = done.stdout.splitlines()
    assert len(lines) == 2
    assert all(line.startswith("burst: actor ") for line in lines)
    assert "email to blank on 60 contacts between 09:00" in lines[0]
    assert "phone to blank on 60 contacts between 11:00" in lines[1]
    assert done.stderr == ("drills: error: 2 bursts found; choose one with --actor ACTOR or "
                           "--window HH:MM-HH:MM\n")
    assert list(out.parent.iterdir()) == []
    chosen = drills("import", log, "--out", out, "--key", "k", "--window", "10:30-12:00")
    assert chosen.returncode == 0
    assert "phone to blank" in chosen.stdout
    masked = lines[0].split()[2]
    by_actor = drills("import", log, "--out", out, "--key", "k", "--actor", masked, "--force")
    assert by_actor.returncode == 0
    assert "email to blank" in by_actor.stdout


def bad_inputs(tmp: Path) -> list[tuple[list[str | Path], str]]:
    sf = fixture("salesforce").read_text(encoding="utf-8").splitlines()
    no_new = tmp / "NoNew.csv"
    no_new.write_text("\n".join(",".join(r.split(",")[:-1]) for r in sf[:50]) + "\n",
                      encoding="utf-8")
    bad_time = tmp / "BadTime.csv"
    bad_time.write_text("\n".join([*sf[:3], sf[3].replace("2026-03-02T", "02/03/2026 "),
                                   *sf[4:50]]) + "\n", encoding="utf-8")
    calm = write_log(tmp / "calm.csv", [HEADER, *[
        ["crm.contacts", str(i), "city", "Ulm", "Gera", f"2026-03-02T{8 + i // 6:02d}:"
         f"{10 * (i % 6):02d}:00Z", f"person{i % 3}", ""] for i in range(40)]])
    prose = tmp / "notes.csv"
    prose.write_text("who,what\nana,called\n", encoding="utf-8")
    log_no_at = write_log(tmp / "noat.csv", [["table", "record", "field", "old", "new", "actor"],
                                            ["crm.contacts", "1", "city", "a", "b", "x"]])
    json_other = tmp / "other.json"
    json_other.write_text('{"items": []}', encoding="utf-8")
    return [
        ([prose], f"{prose}:1:1: is in none of the formats drills import reads; export "
                  "Salesforce field history as CSV"),
        ([json_other], f"{json_other}:1:1: is JSON but neither HubSpot objects"),
        ([no_new], f"{no_new}:1:1: the Salesforce field-history header lacks NewValue; export"),
        ([log_no_at], f"{log_no_at}:1:1: the change log's header lacks at; export"),
        ([bad_time], f"{bad_time}:4:1: CreatedDate '02/03/2026 "),
        ([calm], f"{calm}:1:1: no burst: no actor made 20+ changes to 10+ records at 2+ a "
                 "minute, well above the other edits; export the hours of the incident"),
        ([tmp / "missing.csv"], f"{tmp / 'missing.csv'}:1:1: no such file"),
        ([fixture("changes"), "--window", "9-10"], "--window '9-10' is not HH:MM-HH:MM"),
        ([fixture("changes"), "--key", "k", "--no-mask"], "--key and --no-mask exclude"),
        ([fixture("changes"), "--scale", "0"], "--scale 0 is not a factor above 0"),
        ([fixture("changes"), "--format", "stripe"], f"{fixture('changes')}:1:1: is not JSON "
                                                     "(Expecting value), as a Stripe export is"),
        ([json_other, "--format", "stripe"], f"{json_other}:1:1: the Stripe export lacks data"),
        ([json_other, "--format", "salesforce"], f"{json_other}:1:1: the Salesforce "
                                                 "field-history header lacks CreatedById"),
    ]


def test_each_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for args, says in bad_inputs(tmp_path):
        done = drills("import", *args, "--out", out / "x.yaml", "--key", "k"
                      ) if "--key" not in args and "--no-mask" not in args else drills(
            "import", *args, "--out", out / "x.yaml")
        assert done.returncode == 2, (args, done.stderr)
        assert done.stdout == ""
        assert done.stderr.startswith(f"drills: error: {says}"), done.stderr
        assert done.stderr.count("\n") == 1, done.stderr
        assert list(out.iterdir()) == [], args


def test_an_existing_scenario_is_kept_without_force(tmp_path: Path) -> None:
    out = tmp_path / "x.yaml"
    out.write_text("mine\n", encoding="utf-8")
    done = drills("import", fixture("changes"), "--out", out, "--key", "k")
    assert (done.returncode, done.stderr) == (
        2, f"drills: error: {out} exists already; pass --force to replace it, or choose "
           "another --out\n")
    assert out.read_text(encoding="utf-8") == "mine\n"
