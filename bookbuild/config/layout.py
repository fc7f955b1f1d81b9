"""The PDF's page layout: paper, type size, line spacing, margins, one or two sides.

Quarto's own Typst options say what Quarto has names for (`format: typst:` `papersize`,
`fontsize`, `linestretch`, `margin: {top, bottom, left, right, x, y}`); what it has none for
is under `thesis: layout:` (`preset`, `sides`, `binding`, `chapters-open`). A preset gives a
whole layout from a university's regulations (`PRESETS`, sources in `docs/layout-presets.md`);
any option written out overrides its value. A thesis (a book with a `thesis:` block) starts
from `DEFAULT`, any other book from `BOOK`. `margin: left:` is the inside margin (the left of
a right-hand page) and `right:` the outside one; `binding` is added to the inside margin for
what the binding takes. Every key and value is checked; an error names `_quarto.yml` and the
line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bookbuild.config import registry
from bookbuild.config.project import CONFIG_NAME, did_you_mean, load_yaml
from bookbuild.errors import BuildError

# Typst's paper names that a thesis is printed on, with their size in mm; LaTeX's names
# (`format: pdf: papersize: letter`) are taken as aliases.
PAPERS = {
    "a4": (210.0, 297.0),
    "a5": (148.0, 210.0),
    "b5": (176.0, 250.0),
    "us-letter": (215.9, 279.4),
    "us-legal": (215.9, 355.6),
}
PAPER_ALIASES = {"letter": "us-letter", "a4paper": "a4", "letterpaper": "us-letter"}
LAYOUT_KEYS = tuple(registry.at(registry.LAYOUT))
MARGIN_KEYS = ("top", "bottom", "left", "right", "x", "y")
SIDES = registry.at(registry.LAYOUT)["sides"].allowed
CHAPTERS_OPEN = registry.at(registry.LAYOUT)["chapters-open"].allowed
_UNITS_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72}
_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mm|cm|in|pt)\s*$")
# Quarto's Typst template sets the leading to linestretch x 0.65em (Typst's own default).
LEADING_PER_STRETCH_EM = 0.65


@dataclass(frozen=True)
class Layout:
    """A page layout; lengths in millimetres, the type size in points."""

    paper: str
    fontsize: float
    linestretch: float
    top: float
    bottom: float
    inside: float  # the inside margin, before the binding offset
    outside: float
    binding: float
    sides: str  # "one" or "two"
    chapters_open: str  # "any" or "right"

    @property
    def two_sided(self) -> bool:
        return self.sides == "two"

    @property
    def inner(self) -> float:
        """The inside margin as printed: the margin plus the binding offset."""
        return self.inside + self.binding

    @property
    def text_width_mm(self) -> float:
        return PAPERS[self.paper][0] - self.inner - self.outside

    @property
    def text_height_mm(self) -> float:
        return PAPERS[self.paper][1] - self.top - self.bottom

    @property
    def landscape_width_mm(self) -> float:
        """The text width of a page turned sideways (same margins)."""
        return PAPERS[self.paper][1] - self.inner - self.outside

    @property
    def leading_em(self) -> float:
        return round(self.linestretch * LEADING_PER_STRETCH_EM, 4)


# The default meets the common core of the regulations in docs/layout-presets.md: A4, 12 pt,
# 1.5 line spacing, every margin at least 25 mm and 40 mm at the binding edge, one-sided
# (most offices ask for single-sided copies).
DEFAULT = Layout(
    paper="a4",
    fontsize=12.0,
    linestretch=1.5,
    top=25.0,
    bottom=25.0,
    inside=30.0,
    outside=25.0,
    binding=10.0,
    sides="one",
    chapters_open="any",
)
# A book that is not a thesis (no `thesis:` block) keeps a book's page: 11 pt, Typst's own
# leading, equal margins, no binding offset.
BOOK = Layout(
    paper="a4",
    fontsize=11.0,
    linestretch=round(0.68 / LEADING_PER_STRETCH_EM, 4),
    top=30.0,
    bottom=28.0,
    inside=27.5,
    outside=27.5,
    binding=0.0,
    sides="one",
    chapters_open="any",
)
# Each preset follows one regulation; the clauses used are quoted in docs/layout-presets.md.
PRESETS: dict[str, Layout] = {
    "default": DEFAULT,
    # UCL, "Format, bind and submit your thesis: general guidance": A4; both sides may be used;
    # binding edge at least 40 mm, other margins at least 20 mm; 1.5 or double spacing;
    # type no smaller than 12.
    "ucl": replace(
        DEFAULT, top=25.0, bottom=25.0, outside=20.0, sides="two", chapters_open="right"
    ),
    # University of Leicester, Graduate School, "Formatting Requirements": A4; 12 pt, double
    # spaced; left margin at least 3.5 cm for binding, others at least 2.5 cm; single-sided.
    "leicester": replace(DEFAULT, linestretch=2.0, inside=25.0, binding=10.0, outside=25.0),
    # The University of Queensland, "Thesis production standards": printable double-sided,
    # as free of blank pages as possible; 1.5 spacing, 12 pt, all four margins 20 mm.
    "uq": replace(
        DEFAULT,
        top=20.0,
        bottom=20.0,
        inside=20.0,
        outside=20.0,
        binding=0.0,
        sides="two",
        chapters_open="any",
    ),
}


def _key_line(text: str, path: tuple[str, ...]) -> int:
    """The line of the nested key `path` (e.g. ("thesis", "layout", "sides")) in `text`;
    the deepest one found when the last is absent."""
    lines = text.splitlines()
    found, start, indent = 1, 0, -1
    for key in path:
        pattern = re.compile(rf"^(\s*)(?:-\s*)?['\"]?{re.escape(key)}['\"]?\s*:")
        for number in range(start, len(lines)):
            line = lines[number]
            if line.strip() and not line.lstrip().startswith("#"):
                depth = len(line) - len(line.lstrip())
                if number > start and depth <= indent:
                    return found  # left the parent block
            match = pattern.match(line)
            if match and len(match[1]) > indent:
                found, start, indent = number + 1, number + 1, len(match[1])
                break
        else:
            return found
    return found


def _length_mm(value: Any, what: str, path: Path, line: int) -> float:
    match = _LENGTH.match(str(value)) if isinstance(value, str) else None
    if isinstance(value, int | float) and not isinstance(value, bool) and value == 0:
        return 0.0
    if not match:
        raise BuildError(
            f"{what} must be a length in mm, cm, in or pt (such as 25mm), got {value!r}",
            path,
            line,
        )
    return float(match[1]) * _UNITS_MM[match[2]]


def _choice(value: Any, allowed: tuple[str, ...], what: str, path: Path, line: int) -> str:
    if value not in allowed:
        raise BuildError(
            f"{what} must be one of {', '.join(allowed)}, got {value!r}"
            f"{did_you_mean(value, allowed)}",
            path,
            line,
        )
    return str(value)


def _mapping(value: Any, what: str, path: Path, line: int) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BuildError(f"{what} must be a mapping of options", path, line)
    return value


def _unknown(
    block: dict[str, Any], known: tuple[str, ...], what: str, text: str, path: Path, at: tuple
) -> None:
    """An error for the first key of `block` (at key path `at`) that is not `known`."""
    for key in block:
        if key not in known:
            raise BuildError(
                f"unknown {what} option '{key}' (known: {', '.join(known)})"
                f"{did_you_mean(key, known)}",
                path,
                _key_line(text, (*at, str(key))),
            )


def read_layout(config: dict[str, Any], text: str, path: Path) -> Layout:
    """The layout `_quarto.yml` (parsed as `config`, its `text` at `path`) declares."""
    formats = config.get("format") or {}
    format_name = "typst" if "typst" in formats else "pdf"
    pdf = (formats.get(format_name) or {}) if isinstance(formats, dict) else {}
    thesis = config.get("thesis") if isinstance(config.get("thesis"), dict) else {}
    declared = thesis.get("layout") if thesis else None
    where = ("thesis", "layout")
    layout = DEFAULT if "thesis" in config else BOOK
    if declared is not None:
        block = _mapping(declared, "thesis: layout:", path, _key_line(text, where))
        _unknown(block, LAYOUT_KEYS, "thesis: layout:", text, path, where)

        def line(key: str) -> int:
            return _key_line(text, (*where, key))

        if "preset" in block:
            name = _choice(
                block["preset"], tuple(PRESETS), "thesis: layout: preset:", path, line("preset")
            )
            layout = PRESETS[name]
        if "sides" in block:
            sides = _choice(block["sides"], SIDES, "thesis: layout: sides:", path, line("sides"))
            layout = replace(layout, sides=sides)
        if "chapters-open" in block:
            opening = _choice(
                block["chapters-open"],
                CHAPTERS_OPEN,
                "thesis: layout: chapters-open:",
                path,
                line("chapters-open"),
            )
            layout = replace(layout, chapters_open=opening)
        if "binding" in block:
            binding = _length_mm(
                block["binding"], "thesis: layout: binding:", path, line("binding")
            )
            layout = replace(layout, binding=binding)
    return _quarto_options(layout, pdf, text, path, ("format", format_name))


def _quarto_options(
    layout: Layout, pdf: dict[str, Any], text: str, path: Path, where: tuple[str, str]
) -> Layout:
    """`layout` with Quarto's own Typst options from `format: typst:` applied."""
    prefix = f"format: {where[1]}:"

    def line(*keys: str) -> int:
        return _key_line(text, (*where, *keys))

    if "papersize" in pdf:
        value = pdf["papersize"]
        name = PAPER_ALIASES.get(str(value).lower(), str(value).lower())
        _choice(name, tuple(PAPERS), f"{prefix} papersize:", path, line("papersize"))
        layout = replace(layout, paper=name)
    if "fontsize" in pdf:
        value = pdf["fontsize"]
        size = _length_mm(value, f"{prefix} fontsize:", path, line("fontsize")) * 72 / 25.4
        if not 8 <= size <= 20:
            raise BuildError(
                f"{prefix} fontsize: must be between 8pt and 20pt, got {value!r}",
                path,
                line("fontsize"),
            )
        layout = replace(layout, fontsize=round(size, 2))
    if "linestretch" in pdf:
        value = pdf["linestretch"]
        if isinstance(value, bool) or not isinstance(value, int | float) or not 1 <= value <= 3:
            raise BuildError(
                f"{prefix} linestretch: must be a number from 1 to 3 (1.5 for one-and-a-half "
                f"spacing), got {value!r}",
                path,
                line("linestretch"),
            )
        layout = replace(layout, linestretch=float(value))
    if "margin" in pdf:
        margin = _mapping(pdf["margin"], f"{prefix} margin:", path, line("margin"))
        _unknown(margin, MARGIN_KEYS, f"{prefix} margin:", text, path, (*where, "margin"))
        sides = {
            "x": ("inside", "outside"),
            "y": ("top", "bottom"),
            "left": ("inside",),
            "right": ("outside",),
            "top": ("top",),
            "bottom": ("bottom",),
        }
        changes: dict[str, Any] = {}  # margin fields only, each a length in mm
        for key in ("x", "y", "left", "right", "top", "bottom"):  # a side overrides x or y
            if key in margin:
                mm = _length_mm(margin[key], f"{prefix} margin: {key}:", path, line("margin", key))
                for field in sides[key]:
                    changes[field] = mm
        layout = replace(layout, **changes)
    if layout.text_width_mm < 60:
        raise BuildError(
            f"the margins leave {layout.text_width_mm:.0f} mm for the text on {layout.paper} "
            "paper: make them narrower",
            path,
            line("margin"),
        )
    return layout


def load_layout(root: Path) -> Layout:
    """The layout the book at `root` declares in its `_quarto.yml`."""
    path = root / CONFIG_NAME
    text = path.read_text("utf-8")
    config = load_yaml(text, path) or {}
    return read_layout(config if isinstance(config, dict) else {}, text, path)
