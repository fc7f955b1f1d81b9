"""The thesis's front matter: who wrote it, where, for which degree, under whom, and its licence.

A book becomes a thesis by having a `thesis:` block in `_quarto.yml` (Quarto passes such a
block through as document metadata). The fields come from where Quarto keeps them when it
has them: the author and their affiliation (`book: author:` with `name:` and `affiliations:`,
whose `name:` is the institution and `department:` the faculty), `book: date:` and the
top-level `license:`; the rest (degree, supervisors, the kind of thesis, the declaration)
from `thesis:`. Every required field must be there: a thesis office returns a title page
with a gap, so a missing field is a build error naming `_quarto.yml`, never a placeholder.

A value written in square brackets (`"[Your full name]"`) is a fill-in the author has not yet
replaced; the edition prints it as it is, and every build warns about it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from bookbuild.config.project import CONFIG_NAME, Book, load_yaml
from bookbuild.errors import BuildError

log = logging.getLogger("bookbuild")

# `layout:` is read by config/layout.py, `short-captions:` by `load_short_captions` below
THESIS_KEYS = {"degree", "supervisors", "type", "declaration", "layout", "short-captions"}
DEFAULT_TYPE = "Thesis"
_FILL_IN = re.compile(r"^\s*\[.*\]\s*$")
_warned: set[tuple[str, ...]] = set()  # warn once per build (both writers read the fields)


@dataclass(frozen=True)
class Thesis:
    """The fields of the title page, the declaration and the citation."""

    author: str
    institution: str
    faculty: str
    degree: str
    supervisors: tuple[str, ...]
    date: str
    licence: str
    licence_url: str
    kind: str  # "Master's thesis", "Doctoral thesis", ...
    declaration: str  # the author's declaration of originality, one paragraph

    @property
    def year(self) -> str:
        found = re.search(r"\b(\d{4})\b", self.date)
        return found[1] if found else self.date


def _line(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"\s*-?\s*{re.escape(key)}\s*:", line):
            return number
    return 1


def _string(value: Any) -> str:
    return "" if value is None or isinstance(value, dict | list) else str(value).strip()


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def default_declaration(author: str, degree: str, institution: str) -> str:
    """The declaration of originality printed when `thesis: declaration:` gives none."""
    return (
        f"I, {author}, declare that this thesis, submitted for the degree of {degree} at "
        f"{institution}, is my own work and has not been submitted for a degree at any "
        "other institution. Where it draws on the work of others, that work is cited and "
        "listed in the references."
    )


def load_thesis(book: Book) -> Thesis | None:
    """The thesis front matter of `book`, or None when `_quarto.yml` has no `thesis:` block."""
    path = book.config_path
    text = path.read_text("utf-8")
    config = load_yaml(text, path) or {}
    block = config.get("thesis")
    if block is None:
        return None
    if not isinstance(block, dict):
        raise BuildError(
            "thesis: must be a mapping (degree:, supervisors:, ...)", path, _line(text, "thesis")
        )
    for key in block:
        if key not in THESIS_KEYS:
            raise BuildError(
                f"unknown thesis option '{key}' (known: {', '.join(sorted(THESIS_KEYS))})",
                path,
                _line(text, str(key)),
            )

    def need(value: str, what: str, how: str, key: str) -> str:
        if not value:
            raise BuildError(f"the thesis's {what} is missing: set {how}", path, _line(text, key))
        return value

    author = _first((config.get("book") or {}).get("author"))
    author_map = author if isinstance(author, dict) else {"name": author}
    affiliation = _first(author_map.get("affiliations") or author_map.get("affiliation"))
    affiliation = affiliation if isinstance(affiliation, dict) else {"name": affiliation}
    name = need(_string(author_map.get("name")), "author", "book: author: name:", "author")
    institution = need(
        _string(affiliation.get("name")),
        "institution",
        "book: author: affiliations: - name:",
        "author",
    )
    faculty = need(
        _string(affiliation.get("department")),
        "faculty",
        "book: author: affiliations: - department:",
        "author",
    )
    degree = need(_string(block.get("degree")), "degree", "thesis: degree:", "thesis")
    raw_supervisors = block.get("supervisors")
    items = raw_supervisors if isinstance(raw_supervisors, list) else [raw_supervisors]
    supervisors = tuple(s for s in (_string(i) for i in items) if s)
    if not supervisors:
        raise BuildError(
            "the thesis's supervisors are missing: set thesis: supervisors: to a list of names",
            path,
            _line(text, "supervisors" if raw_supervisors else "thesis"),
        )
    date = need(_string((config.get("book") or {}).get("date")), "date", "book: date:", "book")
    licence_value = config.get("license")
    if isinstance(licence_value, dict):
        licence, licence_url = _string(licence_value.get("text")), _string(licence_value.get("url"))
    else:
        licence, licence_url = _string(licence_value), ""
    need(licence, "licence", "the top-level license: (a name, or text: and url:)", "license")
    thesis = Thesis(
        author=name,
        institution=institution,
        faculty=faculty,
        degree=degree,
        supervisors=supervisors,
        date=date,
        licence=licence,
        licence_url=licence_url,
        kind=_string(block.get("type")) or DEFAULT_TYPE,
        declaration=_string(block.get("declaration"))
        or default_declaration(name, degree, institution),
    )
    fill_ins = [
        value
        for value in (name, institution, faculty, degree, *supervisors, licence)
        if _FILL_IN.match(value)
    ]
    if fill_ins and tuple(fill_ins) not in _warned:
        _warned.add(tuple(fill_ins))
        log.warning(
            "%s: the thesis front matter still holds %d fill-in value(s) in square "
            "brackets (%s): replace them with the real ones",
            CONFIG_NAME,
            len(fill_ins),
            fill_ins[0],
        )
    return thesis


def load_short_captions(book: Book) -> dict[str, tuple[str, int]]:
    """`thesis: short-captions:`: each table's (or figure's) label with its entry in the PDF's
    lists and its line in `_quarto.yml`. Quarto has no short caption for a table made by a
    cell (`fig-scap` is for figures only), and a cell option it does not know would make the
    source invalid Quarto, so they are kept here, where Quarto keeps custom metadata."""
    path = book.config_path
    text = path.read_text("utf-8")
    block = (load_yaml(text, path) or {}).get("thesis")
    value = block.get("short-captions") if isinstance(block, dict) else None
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BuildError(
            "thesis: short-captions: must map labels (tbl-..., fig-...) to short captions",
            path,
            _line(text, "short-captions"),
        )
    found: dict[str, tuple[str, int]] = {}
    for label, short in value.items():
        line = _line(text, str(label))
        if not str(label).startswith(("tbl-", "fig-")):
            raise BuildError(
                f"thesis: short-captions: '{label}' is not a table or figure label "
                "(tbl-... or fig-...)",
                path,
                line,
            )
        if not isinstance(short, str) or not short.strip():
            raise BuildError(
                f"thesis: short-captions: {label}: must be the short caption's text", path, line
            )
        found[str(label)] = (" ".join(short.split()), line)
    return found
