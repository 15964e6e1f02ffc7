"""The ``drills`` command: a thin shell over the library, one module per command."""

from drills.cli.main import cli, main

__all__ = ["cli", "main"]
