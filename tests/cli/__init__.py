"""Tests of the drills command line, through click and through real processes."""
