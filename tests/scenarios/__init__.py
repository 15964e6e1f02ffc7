"""Tests of the scenario format, its units, the loader and the built-in library."""
