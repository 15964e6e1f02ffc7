"""Drill reports: a typed report model and its renderers. Knows no engine (see DESIGN.md)."""

__all__: list[str] = []
