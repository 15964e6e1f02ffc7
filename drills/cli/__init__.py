"""The ``drills`` command: a thin shell over the library, one module per command.

May import: anything in drills (the top layer, a thin shell over the library);
nothing in drills imports it.
"""

from drills.cli.main import cli, main

__all__ = ["cli", "main"]
