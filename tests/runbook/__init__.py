"""Tests of the runbook format, its stop rules, loader, defaults, lint and JSON Schema."""
