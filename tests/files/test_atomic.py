"""The atomic writes: a failure leaves the old file (or folder) whole and no temporary behind."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from drills.files import atomic
from drills.files.atomic import (
    atomic_folder,
    new_folder_beside,
    replace_folder,
    replace_keep_open,
    write_text_atomic,
    write_texts_atomic,
)


class _PatchedOs:
    """The ``os`` module as :mod:`drills.files.atomic` sees it, with some functions replaced."""

    def __init__(self, **replaced: object) -> None:
        self.__dict__.update(replaced)

    def __getattr__(self, name: str) -> object:
        return getattr(os, name)


def _full_disk(*_args: object) -> None:
    raise OSError(28, "No space left on device")


def test_a_write_replaces_the_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old", encoding="utf-8")
    write_text_atomic(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_a_failed_rename_leaves_the_old_file_whole_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.json"
    target.write_text("old", encoding="utf-8")
    monkeypatch.setattr(atomic, "os", _PatchedOs(replace=_full_disk))
    with pytest.raises(OSError, match="No space left"):
        write_text_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_a_failed_write_leaves_the_old_file_whole_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "journal.jsonl"
    target.write_text("old\n", encoding="utf-8")

    def fill(handle: IO[str]) -> None:
        handle.write("half a li")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        replace_keep_open(target, fill)
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["journal.jsonl"]


def test_the_kept_handle_appends_to_the_file_in_place(tmp_path: Path) -> None:
    target = tmp_path / "journal.jsonl"
    target.write_text("old\n", encoding="utf-8")
    handle = replace_keep_open(target, lambda h: h.write("first\n"))
    try:
        assert target.read_text(encoding="utf-8") == "first\n"  # flushed before the rename
        handle.write("second\n")
        handle.flush()
    finally:
        handle.close()
    assert target.read_text(encoding="utf-8") == "first\nsecond\n"


@pytest.fixture(params=[0o022, 0o077])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """Each test under umask 022 and 077, the umask it found restored afterwards."""
    mask: int = request.param
    before = os.umask(mask)
    try:
        yield mask
    finally:
        os.umask(before)


def test_files_get_the_umask_mode_unless_a_mode_is_given(tmp_path: Path, umask: int) -> None:
    plain, shipped = tmp_path / "report.json", tmp_path / "schema.json"
    kept, several = tmp_path / "journal.jsonl", tmp_path / "export.csv"
    write_text_atomic(plain, "{}")
    write_text_atomic(shipped, "{}", mode=0o644)
    replace_keep_open(kept, lambda h: h.write("first\n")).close()
    write_texts_atomic([(several, "a,b\n")])
    expected = 0o666 & ~umask
    assert atomic.umask_mode() == expected
    assert os.umask(umask) == umask  # reading the umask left it as it was
    for path in (plain, kept, several):
        assert stat.S_IMODE(path.stat().st_mode) == expected, path.name
    assert stat.S_IMODE(shipped.stat().st_mode) == 0o644


def test_several_files_are_all_written_or_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "a.runbook.yaml", tmp_path / "a.scenario.yaml"
    first.write_text("old a", encoding="utf-8")
    second.write_text("old b", encoding="utf-8")
    real_fdopen = os.fdopen
    calls = []

    def fdopen(fd: int, *args: object, **kwargs: object) -> object:
        calls.append(fd)
        if len(calls) == 2:
            os.close(fd)
            raise OSError(28, "No space left on device")
        return real_fdopen(fd, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(atomic, "os", _PatchedOs(fdopen=fdopen))
    with pytest.raises(OSError, match="No space left"):
        write_texts_atomic([(first, "new a"), (second, "new b")])
    assert first.read_text(encoding="utf-8") == "old a"
    assert second.read_text(encoding="utf-8") == "old b"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.runbook.yaml", "a.scenario.yaml"]
    monkeypatch.undo()
    write_texts_atomic([(first, "new a"), (second, "new b")])
    assert (first.read_text(encoding="utf-8"), second.read_text(encoding="utf-8")) == (
        "new a", "new b",
    )


def test_a_folder_appears_complete(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "export"
    with atomic_folder(target) as work:
        (work / "manifest.json").write_text("{}", encoding="utf-8")
        assert not target.exists()
    assert sorted(p.name for p in target.iterdir()) == ["manifest.json"]
    assert sorted(p.name for p in target.parent.iterdir()) == ["export"]


def test_a_failed_folder_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "export"

    def build() -> None:
        with atomic_folder(target) as work:
            (work / "half.csv").write_text("a,b", encoding="utf-8")
            raise RuntimeError("a table failed")

    with pytest.raises(RuntimeError, match="a table failed"):
        build()
    assert list(tmp_path.iterdir()) == []


def test_a_folder_onto_a_full_one_fails_and_leaves_it_whole(tmp_path: Path) -> None:
    target = tmp_path / "export"
    target.mkdir()
    (target / "keep.csv").write_text("x", encoding="utf-8")

    def build() -> None:
        with atomic_folder(target) as work:
            (work / "new.csv").write_text("y", encoding="utf-8")

    with pytest.raises(OSError, match=r"not empty|exists"):
        build()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export"]
    assert sorted(p.name for p in target.iterdir()) == ["keep.csv"]


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_a_full_folder_is_replaced_whole_once_the_new_one_is_complete(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "old.json").write_text("old", encoding="utf-8")
    work = new_folder_beside(target)
    assert work.parent == tmp_path
    assert work.name.startswith(".out.partial-")
    (work / "new.json").write_text("new", encoding="utf-8")
    assert _tree(target) == {"old.json": b"old"}  # whole until the new one is put in place
    replace_folder(work, target)
    assert _tree(target) == {"new.json": b"new"}
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    missing = tmp_path / "fresh"
    work = new_folder_beside(missing)
    replace_folder(work, missing)
    assert missing.is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh", "out"]


def test_a_failed_replace_puts_the_earlier_folder_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "old.json").write_text("old", encoding="utf-8")
    work = new_folder_beside(target)
    (work / "new.json").write_text("new", encoding="utf-8")
    real_replace = os.replace
    calls: list[str] = []

    def replace(src: str, dst: str) -> None:
        calls.append(str(src))
        if len(calls) == 2:
            raise OSError(5, "Input/output error")
        real_replace(src, dst)

    monkeypatch.setattr(atomic, "os", _PatchedOs(replace=replace))
    with pytest.raises(OSError, match="Input/output error"):
        replace_folder(work, target)
    assert _tree(target) == {"old.json": b"old"}
    assert _tree(work) == {"new.json": b"new"}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([work.name, "out"])
