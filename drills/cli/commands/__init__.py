"""One module per ``drills`` subcommand; each exposes a click ``command``."""
