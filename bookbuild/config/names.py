"""Names a source gives to files of the edition, checked before any work.

A cell's `label` becomes `figures/<label>.svg` / `.csv`, a chapter's file name becomes its
page `<stem>.html`. Each must stay a plain name inside the edition (no `/`, `..`, leading
dot, control or URL-special characters) and be unique across the book, so no chapter or
figure overwrites another, a page the build generates, or a file outside `_book/`.
"""

from __future__ import annotations

import re
from pathlib import Path

from bookbuild.errors import BuildError
from bookbuild.source.qmd import Document

# Letters (any script), digits, `_` and `-`; also `.` and `:` inside, as Pandoc ids allow.
_LABEL = re.compile(r"[^\W_][\w.:-]*\Z")
_PAGE = re.compile(r"[^\W_][\w.+-]*\Z")
# Pages the build makes itself (the colophon), by stem.
GENERATED = {"colophon"}


def check_label(label: str, where: Path, line: int) -> None:
    """A label must be a plain name: it becomes a file name under `figures/`."""
    if not _LABEL.match(label) or ".." in label:
        raise BuildError(
            f"label '{label}' cannot name a file: use letters, digits, '-' and "
            "'_' only (no '/', '..' or spaces)",
            where,
            line,
        )


def check_names(config: Path, documents: list[Document], config_text: str) -> None:
    """Every chapter's page name and every cell label: plain and unique across the book."""
    pages: dict[str, Path] = {}
    for doc in documents:
        stem = doc.path.stem
        line = _entry_line(config_text, doc.path)
        if not _PAGE.match(stem) or ".." in stem:
            raise BuildError(
                f"chapter file name '{doc.path.name}' cannot name a web page: use "
                "letters, digits, '-', '_' and '.' only",
                config,
                line,
            )
        page = stem.lower()  # pages differing only in case collide on some file systems
        if page in GENERATED:
            raise BuildError(
                f"chapter {doc.path} would be the page {stem}.html, which the "
                "build generates itself; rename the file",
                config,
                line,
            )
        if page in pages:
            raise BuildError(
                f"chapters {pages[page]} and {doc.path} would both be the page "
                f"{stem}.html; rename one of them",
                config,
                line,
            )
        pages[page] = doc.path
    labels: dict[str, tuple[Path, int]] = {}
    for doc in documents:
        for cell in doc.cells:
            label = cell.options.get("label")
            if not isinstance(label, str) or not label:
                continue
            check_label(label, doc.path, cell.line)
            if label.lower() in labels:
                first, first_line = labels[label.lower()]
                raise BuildError(
                    f"label '{label}' is also used at {first}:{first_line}; "
                    "labels must be unique in the book",
                    doc.path,
                    cell.line,
                )
            labels[label.lower()] = (doc.path, cell.line)


def _entry_line(text: str, path: Path) -> int | None:
    for number, line in enumerate(text.splitlines(), 1):
        if str(path) in line:
            return number
    return None
