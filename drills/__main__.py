"""``python -m drills``: the same program as the ``drills`` command.

``python -m`` puts the current directory first on the import path; the ``drills``
command does not, and neither does this: a module lying in the folder a command is run
from (a client's folder being scored) is never imported by being there. The team's
own code is found on ``PYTHONPATH`` or as an installed package.
"""

import os
import sys


def _drop_cwd() -> None:
    here = os.getcwd()
    if sys.path and sys.path[0] in ("", here):
        del sys.path[0]


_drop_cwd()

from drills.cli import main  # noqa: E402  (after the import path is settled)

sys.exit(main())
