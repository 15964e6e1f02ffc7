"""Write a readiness review in several formats to one folder, atomically.

Every format is rendered before anything is written, and each file goes to a
temporary file beside its target, renamed over it once every file is on disk
(:func:`drills.files.write_texts_atomic`), so a failed render or a full disk never
leaves half a review for someone to hand over.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from drills.reports.review.console import render_review_console_text
from drills.reports.review.html import render_review_html
from drills.reports.review.jsonout import render_review_json
from drills.reports.review.markdown import render_review_markdown
from drills.reports.review.model import ReadinessReview
from drills.reports.writer import check_folder, write_set

__all__ = ["REVIEW_BASENAME", "REVIEW_FORMATS", "write_review"]

REVIEW_BASENAME = "readiness-review"

REVIEW_FORMATS: dict[str, tuple[str, Callable[[ReadinessReview], str]]] = {
    "console": (".txt", render_review_console_text),
    "md": (".md", render_review_markdown),
    "html": (".html", render_review_html),
    "json": (".json", render_review_json),
}
"""Format name: (file suffix, renderer)."""


def write_review(
    review: ReadinessReview, folder: Path, formats: Sequence[str]
) -> dict[str, Path]:
    """Write ``review`` to ``folder/readiness-review.<suffix>`` in each format, in order.

    Raises :class:`ValueError` for an unknown format (before writing anything) and
    :class:`~drills.reports.jsonout.ReportError` for a folder that cannot be written.
    """
    wanted = list(dict.fromkeys(formats))
    unknown = [name for name in wanted if name not in REVIEW_FORMATS]
    if unknown:
        raise ValueError(f"unknown review format {unknown[0]!r}; known formats: "
                         f"{', '.join(REVIEW_FORMATS)}")
    folder = Path(folder)
    check_folder(folder)
    rendered = {name: REVIEW_FORMATS[name][1](review) for name in wanted}
    written = {name: folder / f"{REVIEW_BASENAME}{REVIEW_FORMATS[name][0]}" for name in wanted}
    write_set(folder, [(written[name], text) for name, text in rendered.items()])
    return written
