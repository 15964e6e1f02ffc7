"""The line a configuration error points at: tomllib keeps no positions, so the loader finds
the key in the text. Each way TOML can spell a table is read from a real file."""

from __future__ import annotations

from pathlib import Path

import pytest

from drills.cli.config import ConfigError, find_config, load_config

PYPROJECT = """\
[project]
name = "team"

[tool.drills]
runbooks = ["runbooks/"]
"fail-on" = "high"   # a quoted key
scenarios = {invoice-reminder = ["invoice-triple-trigger"]}

[tool.ruff]
line-length = 100

[[tool.drills.accept]]
code = "no-comms"
reason = "first"
expires = 2030-01-01

[[tool.drills.accept]]
code = "no-comms"
reason = "second"
expires = 2030-01-01
"""


def test_each_key_is_found_on_its_line(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(PYPROJECT, encoding="utf-8")
    config = load_config(path)
    assert config.line_of("runbooks") == 5
    assert config.line_of("fail-on") == 6
    assert config.line_of("scenarios", "invoice-reminder") == 7  # an inline table: its key
    assert config.line_of("accept", 0) == 12
    assert config.line_of("accept", 1, "reason") == 19
    assert config.line_of("accept", 1, "nothing-here") == 17  # falls back to the header
    assert config.line_of("jobs") == 4  # not written: the table's header
    assert config.config.fail_on == "high"
    assert [a.reason for a in config.config.accept] == ["first", "second"]


def test_a_key_of_another_tool_is_not_ours(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(PYPROJECT.replace("line-length = 100", "jobs = 3"), encoding="utf-8")
    assert load_config(path).line_of("jobs") == 4  # the [tool.ruff] one is not [tool.drills]


@pytest.mark.parametrize(("text", "line"), [
    ('[tool.drills]\nrunbooks = ["a"]\n\n[[tool.drills.accept]]\ncode = "no-comms"\n'
     'reason = "x"\nexpires = 2030-01-01\nrunbok = "a.yaml"\n', 8),
    ('[tool.drills]\n[tool.drills.scenarios]\ninvoice-reminder = 3\n', 3),
    ('[tool.drills]\njobs = -1\n', 2),
])
def test_a_bad_value_names_its_own_line(tmp_path: Path, text: str, line: int) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}:{line}: ")


def test_drills_toml_beside_pyproject_wins(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.drills]\njobs = 1\n', encoding="utf-8")
    (tmp_path / "drills.toml").write_text("jobs = 2\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    found = find_config(tmp_path / "sub")
    assert found == (tmp_path / "drills.toml").resolve()
    loaded = load_config(found)
    assert loaded.config.jobs == 2
    assert loaded.line_of("jobs") == 1
