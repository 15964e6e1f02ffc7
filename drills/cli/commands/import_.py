"""``drills import``: replay a real incident from a system's audit-log export.

A thin shell over :mod:`drills.scenarios.importing`: it reads the options, gets or
makes the masking key (printed once, on stderr, when it is made here), prints the
reading of the bad run and where the two files went. Every bad input is one line and
exit 2 (the library's errors, through :mod:`drills.cli.main`); nothing is written unless
both files validate.
"""

from __future__ import annotations

from pathlib import Path

import click

from drills.cli.main import say
from drills.scenarios.importing import (
    FORMATS,
    AmbiguousBurst,
    ImportRefused,
    Masker,
    import_incident,
    new_key,
    world_path,
    write_imported,
)

__all__ = ["command"]


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), required=True, metavar="SCENARIO.yaml",
              help="The scenario to write; its world goes beside it as SCENARIO.world.yaml.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="The export's format (default: detected from its content).")
@click.option("--actor", default=None, metavar="A",
              help="The burst to replay, by its actor (as printed, or the export's own id).")
@click.option("--window", default=None, metavar="HH:MM-HH:MM",
              help="The burst to replay, by when it ran (UTC, as the export's times).")
@click.option("--scale", type=float, default=None, metavar="F",
              help="Multiply the records seen by F for each table's count (an export shows "
                   "only the records changed).")
@click.option("--key", default=None, metavar="KEY",
              help="The masking key: the same key gives the same pseudonyms.")
@click.option("--key-file", type=click.Path(path_type=Path), default=None, metavar="F",
              help="Read the masking key from a file.")
@click.option("--no-mask", is_flag=True,
              help="Keep the export's ids, names and values as they are (do not share the files).")
@click.option("--force", is_flag=True, help="Replace the scenario and its world if they exist.")
def command(files: tuple[Path, ...], out: Path, fmt: str | None, actor: str | None,
            window: str | None, scale: float | None, key: str | None, key_file: Path | None,
            no_mask: bool, force: bool) -> None:
    """Turn an audit-log export into a drill of the same incident, masked.

    \b
    Reads Salesforce field history (CSV), HubSpot objects with propertiesWithHistory
    (JSON), Stripe events (JSON) or a change log (CSV/JSONL: table, record, field,
    old, new, at, actor), finds the bad run, and writes a scenario and its declared
    world that replay it: the same records, in the same order, at the same pace.
    Every id, name, email, phone, address and free text is replaced by a keyed
    pseudonym unless --no-mask. See docs/import.md.
    """
    _check_out(out, force)
    masker = _masker(key, key_file, no_mask)
    try:
        imported = import_incident(files, out, masker, fmt=fmt, actor=actor, window=window,
                                   scale=scale)
    except AmbiguousBurst as err:
        for reading in err.readings:
            say(f"burst: {reading}")
        raise
    write_imported(imported, out)
    say(f"bad run: {imported.reading}")
    say(f"scenario: {out} (world: {world_path(out)})")
    say(f"drill it with: drills run {out}")


def _masker(key: str | None, key_file: Path | None, no_mask: bool) -> Masker:
    given = [name for name, value in (("--key", key), ("--key-file", key_file),
                                      ("--no-mask", no_mask or None)) if value is not None]
    if len(given) > 1:
        raise ImportRefused(f"{' and '.join(given)} exclude each other; give one")
    if no_mask:
        say("drills: warning: --no-mask: the files keep the export's ids, names and values; "
            "do not share them", err=True)
        return Masker(None)
    if key_file is not None:
        try:
            key = key_file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as err:
            why = getattr(err, "strerror", None) or "not UTF-8 text"
            raise ImportRefused(f"--key-file {key_file}: cannot be read ({why}); name a "
                                "text file holding the key") from None
    if key is not None and not key.strip():
        raise ImportRefused("the masking key is empty; pass the key printed by an earlier "
                            "import, or leave --key out to make one")
    if key is None:
        key = new_key()
        say(f"drills: masking key (printed once, not saved): {key}; pass --key {key} to "
            "get the same pseudonyms again", err=True)
    return Masker(key.strip().encode("utf-8"))


def _check_out(out: Path, force: bool) -> None:
    """Refuse an ``--out`` that cannot be written, before reading any export."""
    if not out.name.endswith((".yaml", ".yml")):
        raise ImportRefused(f"--out {out} is not a .yaml file; name the scenario to write, "
                            "like --out incident.yaml")
    if out.is_dir():
        raise ImportRefused(f"--out {out} is a folder; give the path of a .yaml file to write")
    for path in (out, world_path(out)):
        if (path.exists() or path.is_symlink()) and not force:
            raise ImportRefused(f"{path} exists already; pass --force to replace it, or "
                                "choose another --out")
    if not out.parent.is_dir():
        raise ImportRefused(f"--out {out}: the folder {out.parent} does not exist; create it "
                            "or choose another path")
