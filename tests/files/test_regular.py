"""Only regular files are read: a named pipe or a device is refused at once, never waited on."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from drills.files import FileError, NotRegularFileError, read_regular, read_yaml

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "drill.yaml"
    os.mkfifo(path)
    return path


def test_a_named_pipe_is_refused_without_waiting_for_a_writer(fifo: Path) -> None:
    with pytest.raises(NotRegularFileError) as caught:
        read_regular(fifo)
    assert caught.value.kind == "a named pipe"
    assert str(caught.value) == f"{fifo}: it is a named pipe, not a regular file"
    assert isinstance(caught.value, OSError)


def test_a_device_is_refused() -> None:
    with pytest.raises(NotRegularFileError, match="a character device"):
        read_regular("/dev/zero", 10)


def test_a_regular_file_and_a_link_to_one_are_read(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"name: x\n")
    link = tmp_path / "link.yaml"
    link.symlink_to(path)
    assert read_regular(path) == b"name: x\n"
    assert read_regular(link, 4) == b"name"


def test_a_link_to_a_pipe_is_refused(fifo: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.yaml"
    link.symlink_to(fifo)
    with pytest.raises(NotRegularFileError):
        read_regular(link)


def test_the_yaml_reader_says_what_the_path_is(fifo: Path) -> None:
    with pytest.raises(FileError) as caught:
        read_yaml(fifo, what="runbook")
    assert str(caught.value) == (
        f"{fifo}:1:1: is a named pipe, not a file; name a runbook file (drills reads no "
        "pipes or devices)")
