"""The docs hold what they promise: every command, rule, path and version they name exists.

Like sqlite-utils' docs test: adding a command without documenting it fails here, and
so does text that cites a rule docs/rules.md does not have, a lint code listed under no
rule, a path in docs/architecture.md's "where is X" table that moved, or a version that
differs from pyproject.toml's.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from drills.cli.main import COMMANDS, cli
from drills.runbook.lint import LINT_CODES

ROOT = Path(__file__).parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
RULES = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
ARCHITECTURE = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
PYPROJECT: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: cli {name} ")
    summary = result.output.split("\n\n")[1].strip()
    assert len(summary) > 20, f"'drills {name} --help' needs a sentence saying what it does"


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_in_the_readme(name: str) -> None:
    assert f"`drills {name}" in README, f"document 'drills {name}' in README.md"


def test_the_group_help_lists_every_command_and_the_exit_codes() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert f"  {name} " in result.output
    assert "Exit codes: 0 passed, 1 the drill or check failed, 2 bad input or usage." in (
        result.output
    )


# -- the rules ------------------------------------------------------------------------

CITATION = re.compile(r"\brules?\s+(\d+(?:\s*(?:,|and|or)\s*\d+)*)", re.IGNORECASE)
""""rule 4", "Rule 5:", "rule 1 and 8", "rule 1, 2 and 8": the numbers a text cites."""

RULE_HEADING = re.compile(r"^## Rule (\d+): ", re.MULTILINE)

USER_TEXT_SUFFIXES = (".py", ".md", ".json", ".j2", ".yaml", ".html")
"""Where users read rule numbers: help and messages in code, docs, schemas, templates."""


def rule_sections() -> dict[int, str]:
    """docs/rules.md's sections by rule number, each up to the next heading."""
    heads = list(RULE_HEADING.finditer(RULES))
    ends = [h.start() for h in heads[1:]] + [RULES.index("\n## ", heads[-1].end())]
    return {int(h.group(1)): RULES[h.start():end] for h, end in zip(heads, ends, strict=True)}


def listed_codes(section: str) -> set[str]:
    """The finding codes a section lists on its "Finding codes:" line(s)."""
    found = re.search(r"^Finding codes: (.+?)\.$", section, re.MULTILINE | re.DOTALL)
    assert found, f"no 'Finding codes:' line in: {section.splitlines()[0]}"
    return set(re.findall(r"`([a-z0-9-]+)`", found.group(1)))


def rule_numbers(value: object) -> set[int]:
    """A registry's rule field as numbers: 4, "1, 8", (1, 8) or None (no rule)."""
    if value is None:
        return set()
    if isinstance(value, int):
        return {value}
    if isinstance(value, str):
        return {int(n) for n in re.findall(r"\d+", value)}
    assert isinstance(value, Iterable), value
    return {n for item in value for n in rule_numbers(item)}


@pytest.fixture(scope="module")
def user_texts(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str]]:
    """(where, text) of every file users read, and of the files ``drills init`` writes."""
    texts: list[tuple[str, str]] = []
    for folder in ("drills", "scenarios", "fakes", "reports", "docs"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in USER_TEXT_SUFFIXES and "__pycache__" not in path.parts:
                texts.append((str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")))
    texts.append(("README.md", README))
    out = tmp_path_factory.mktemp("init")
    result = CliRunner().invoke(
        cli, ["init", "payout-sync", "--touches", "money", "--yes", "--dir", str(out)])
    assert result.exit_code == 0, result.output
    for path in sorted(out.glob("payout-sync.*.yaml")):
        texts.append((f"drills init's {path.name}", path.read_text(encoding="utf-8")))
    assert len(texts) > 2
    return texts


def test_rules_md_has_the_eight_rules_in_order() -> None:
    assert [int(n) for n in RULE_HEADING.findall(RULES)] == list(range(1, 9))


def test_every_rule_cited_to_users_is_in_rules_md(user_texts: list[tuple[str, str]]) -> None:
    rules = set(rule_sections())
    wrong = [
        f"{where}:{text.count(chr(10), 0, m.start()) + 1}: {m.group(0)!r}"
        for where, text in user_texts
        for m in CITATION.finditer(text)
        if not rule_numbers(m.group(1)) <= rules
    ]
    assert not wrong, "cites a rule docs/rules.md does not have:\n" + "\n".join(wrong)


def test_the_text_users_read_cites_rules_at_all(user_texts: list[tuple[str, str]]) -> None:
    """Guards the scan above: it must see the citations we know of."""
    cited = {n for _, text in user_texts for m in CITATION.finditer(text)
             for n in rule_numbers(m.group(1))}
    assert cited == set(range(1, 9))


@pytest.mark.parametrize("code", sorted(LINT_CODES))
def test_every_lint_code_is_listed_under_its_rules(code: str) -> None:
    sections = rule_sections()
    rules = rule_numbers(LINT_CODES[code].rules)
    assert rules, f"{code} names no rule"
    missing = [n for n in sorted(rules) if code not in listed_codes(sections[n])]
    assert not missing, f"list `{code}` under rule {missing} in docs/rules.md"


def test_the_finding_registry_and_rules_md_agree() -> None:
    """Every registered finding is listed under exactly the rules its row names."""
    findings = pytest.importorskip("drills.findings")
    table: Any = findings.FINDINGS
    rows = list(table.values()) if isinstance(table, Mapping) else list(table)
    sections = rule_sections()
    documented = {code for s in sections.values() for code in listed_codes(s)}
    not_a_rule = set(re.findall(r"`([a-z0-9-]+)`", RULES[RULES.index("## Not a rule"):]))
    wrong: list[str] = []
    for row in rows:
        code, rules = row.code, rule_numbers(getattr(row, "rule", getattr(row, "rules", None)))
        under = {n for n, s in sections.items() if code in listed_codes(s)}
        if rules != under:
            wrong.append(f"{code}: the registry says rule {sorted(rules)}, "
                         f"docs/rules.md lists it under {sorted(under)}")
        if not rules and code not in not_a_rule:
            wrong.append(f"{code}: checks no rule but is not under 'Not a rule'")
    registered = {row.code for row in rows}
    wrong += [f"{c}: in docs/rules.md, not registered" for c in sorted(documented - registered)]
    assert not wrong, "\n".join(wrong)


# -- the architecture ------------------------------------------------------------------


def where_is_paths() -> list[str]:
    """Every path the "Where is X" table of docs/architecture.md names."""
    start = ARCHITECTURE.index("## Where is X")
    section = ARCHITECTURE[start:ARCHITECTURE.index("\n## ", start)]
    rows = [line for line in section.splitlines() if line.startswith("| ")][2:]
    paths = [p for row in rows for p in re.findall(r"`([^`]+)`", row.split(" | ")[-1])]
    assert len(paths) > 30, "the 'Where is X' table lost its rows"
    return paths


@pytest.mark.parametrize("path", where_is_paths())
def test_every_path_in_where_is_x_exists(path: str) -> None:
    assert (ROOT / path).exists(), f"docs/architecture.md names {path}, which does not exist"
    assert path.endswith("/") == (ROOT / path).is_dir(), f"write a folder as {path.rstrip('/')}/"


# -- version, changelog, license -----------------------------------------------------------


def test_drills_version_is_pyprojects() -> None:
    run = subprocess.run([sys.executable, "-m", "drills", "--version"],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    assert run.stdout.strip() == f"drills, version {PYPROJECT['project']['version']}"


def test_the_changelog_has_an_unreleased_section_and_the_current_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(r"^## \[Unreleased\]$", changelog, re.MULTILINE)
    version = re.escape(PYPROJECT["project"]["version"])
    assert re.search(rf"^## \[{version}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.MULTILINE)


def test_the_license_is_the_one_pyproject_names() -> None:
    assert PYPROJECT["project"]["license"] == "MIT"
    assert PYPROJECT["project"]["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
