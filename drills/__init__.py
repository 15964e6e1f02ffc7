"""drills: recovery drills and chaos tests for business automations.

The library never prints or exits; the CLI in :mod:`drills.cli` is a thin shell over it.
"""

from fakes.errors import DrillsError

__all__ = ["DrillsError", "__version__"]

__version__ = "0.1.0"
