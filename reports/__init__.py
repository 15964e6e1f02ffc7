"""Drill reports: a typed report model and its renderers. Knows no engine (see DESIGN.md)."""

from reports.findings import Check, Finding, GapCost, Severity

__all__ = ["Check", "Finding", "GapCost", "Severity"]
