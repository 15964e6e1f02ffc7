"""One module per ``drills`` subcommand; each exposes a click ``command``.

May import: anything in drills; nothing imports these modules but
:mod:`drills.cli.main`.
"""
