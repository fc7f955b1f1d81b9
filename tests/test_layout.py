"""The PDF's declared layout: Quarto's `format: typst:` options and `thesis: layout:` checked
like the other options, and small books built with each preset measured in their PDF (page
size from the media box, margins and line pitch from poppler's word boxes, odd opening pages
and blank versos from the bookmarks).
"""

from __future__ import annotations

import itertools
import shutil
import statistics
from collections import Counter
from pathlib import Path

import pytest
from pdf_pages import MM, Page, pages, top_level_pages

from bookbuild.commands.build import build
from bookbuild.config.layout import BOOK, DEFAULT, PRESETS, read_layout
from bookbuild.config.project import load_book, load_yaml
from bookbuild.errors import BuildError

HEAD = """\
project:
  type: book
book:
  title: "Layout"
  author:
    - name: "Li Hua"
      affiliations:
        - name: "Henan University"
          department: "School of Marxism"
  date: "2026"
  chapters:
    - index.qmd
    - part: "First part"
      chapters:
        - one.qmd
        - two.qmd
    - three.qmd
license: "CC BY 4.0"
"""
THESIS = """\
thesis:
  degree: "Master of Laws"
  supervisors:
    - "Prof. Wang Fang"
"""


def _layout(config: str):
    path = Path("/nowhere/_quarto.yml")
    return read_layout(load_yaml(config, path), config, path)


def _error(config: str) -> BuildError:
    with pytest.raises(BuildError) as caught:
        _layout(config)
    return caught.value


def _line(config: str, needle: str) -> int:
    return next(n for n, line in enumerate(config.splitlines(), 1) if needle in line)


# ---- the options and their checks --------------------------------------------------------


def test_a_thesis_gets_the_regulation_default_and_a_plain_book_a_book_page() -> None:
    assert _layout(HEAD + THESIS) == DEFAULT
    assert _layout(HEAD) == BOOK
    assert (DEFAULT.paper, DEFAULT.fontsize, DEFAULT.linestretch) == ("a4", 12.0, 1.5)
    assert DEFAULT.inner >= 40 and min(DEFAULT.top, DEFAULT.bottom, DEFAULT.outside) >= 25


def test_a_preset_and_quarto_options_combine_written_values_winning() -> None:
    config = (
        HEAD
        + "format:\n  typst:\n    fontsize: 11pt\n    margin:\n      x: 2cm\n      right: 30mm\n"
        + THESIS
        + "  layout:\n    preset: ucl\n    binding: 5mm\n"
    )
    layout = _layout(config)
    assert layout.sides == "two" and layout.chapters_open == "right"  # from the preset
    assert layout.fontsize == 11.0
    assert (layout.inside, layout.outside, layout.binding) == (20.0, 30.0, 5.0)
    assert layout.inner == 25.0
    assert layout.top == PRESETS["ucl"].top


@pytest.mark.parametrize(
    ("block", "needle", "words"),
    [
        (
            "  layout:\n    sids: two\n",
            "sids",
            ["unknown thesis: layout: option 'sids'", "'sides'"],
        ),
        ("  layout:\n    preset: leicster\n", "preset", ["must be one of", "'leicester'"]),
        ("  layout:\n    sides: both\n", "sides", ["must be one of one, two, got 'both'"]),
        ("  layout:\n    chapters-open: left\n", "chapters-open", ["any, right"]),
        ("  layout:\n    binding: 1 cm wide\n", "binding", ["a length in mm, cm, in or pt"]),
        ("  layout: two-sided\n", "layout", ["must be a mapping"]),
    ],
)
def test_layout_errors_name_the_config_line_and_the_allowed_values(
    block: str, needle: str, words: list[str]
) -> None:
    config = HEAD + THESIS + block
    error = _error(config)
    for word in words:
        assert word in error.message
    assert error.path.name == "_quarto.yml" and error.line == _line(config, needle)


@pytest.mark.parametrize(
    ("typst", "needle", "words"),
    [
        ("    papersize: a44\n", "papersize", ["papersize: must be one of", "'a4'"]),
        ("    fontsize: 30pt\n", "fontsize", ["between 8pt and 20pt"]),
        ("    fontsize: large\n", "fontsize", ["a length in mm, cm, in or pt"]),
        ("    linestretch: double\n", "linestretch", ["a number from 1 to 3"]),
        ("    margin:\n      lefft: 2cm\n", "lefft", ["unknown format: typst: margin:", "'left'"]),
        ("    margin:\n      top: 10%\n", "top: 10%", ["margin: top: must be a length"]),
        ("    margin:\n      x: 9cm\n", "margin", ["leave", "mm for the text"]),
    ],
)
def test_quarto_option_errors_name_the_config_line(typst: str, needle: str, words: list[str]):
    config = HEAD + "format:\n  typst:\n" + typst + THESIS
    error = _error(config)
    for word in words:
        assert word in error.message, error.message
    assert error.line == _line(config, needle)


def test_latex_paper_names_are_taken_and_the_book_check_reads_the_layout(tmp_path) -> None:
    assert _layout(HEAD + "format:\n  pdf:\n    papersize: letter\n").paper == "us-letter"
    (tmp_path / "_quarto.yml").write_text(HEAD + THESIS + "  layout:\n    sides: 3\n", "utf-8")
    for name in ("index", "one", "two", "three"):
        (tmp_path / f"{name}.qmd").write_text(f"# {name.title()}\n", "utf-8")
    with pytest.raises(BuildError) as caught:
        load_book(tmp_path)  # before any chapter is executed or rendered
    assert "sides" in caught.value.message


# ---- small books built with each preset --------------------------------------------------

_TEXT = (
    "county village household income survey policy poverty register assistance industry "
    "training relocation education medical housing dividend credit extension cadre team "
    "township province verification assessment exit standard measure share growth ratio"
)
_WORDS = _TEXT.split(" ")


def _paragraph(seed: int, words: int = 90) -> str:
    out = [_WORDS[(seed * 7 + i * 11) % len(_WORDS)] for i in range(words)]
    return " ".join(out).capitalize() + "."


def _chapter(title: str, paragraphs: int, seed: int) -> str:
    body = "\n\n".join(_paragraph(seed + n) for n in range(paragraphs))
    return f"# {title}\n\n{body}\n"


def _book(root: Path, layout: str) -> Path:
    root.mkdir()
    (root / "_quarto.yml").write_text(HEAD + THESIS + layout, "utf-8")
    (root / "index.qmd").write_text("# Preface {.unnumbered}\n\nA short preface.\n", "utf-8")
    # chapters of odd and even lengths, so that some end on a right-hand page
    for name, paragraphs, seed in (("one", 9, 1), ("two", 4, 2), ("three", 12, 3)):
        (root / f"{name}.qmd").write_text(_chapter(name.title(), paragraphs, seed), "utf-8")
    return build(root, formats=("pdf",), jobs=1).output / "thesis.pdf"


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) needed")
    base = tmp_path_factory.mktemp("layouts")
    return {
        "default": _book(base / "default", ""),
        "ucl": _book(base / "ucl", "  layout:\n    preset: ucl\n"),
        "leicester": _book(base / "leicester", "  layout:\n    preset: leicester\n"),
        "uq": _book(base / "uq", "  layout:\n    preset: uq\n"),
        "small": _book(base / "small", "format:\n  typst:\n    fontsize: 10pt\n"),
    }


def _mode(values: list[float]) -> float:
    return Counter(round(v * 2) / 2 for v in values).most_common(1)[0][0]


def _lines(page: Page, layout) -> list[list]:
    """The words of the text area grouped into lines (same baseline)."""
    rows: dict[float, list] = {}
    for word in page.body(layout.top * MM, layout.bottom * MM):
        rows.setdefault(round(word.y1), []).append(word)
    return [sorted(row, key=lambda w: w.x0) for _, row in sorted(rows.items())]


def _edges(page: Page, layout) -> tuple[float, float]:
    """(left, right) text edges: where most lines start and end (justified text)."""
    lines = [line for line in _lines(page, layout) if len(line) > 6]
    return _mode([line[0].x0 for line in lines]), _mode([line[-1].x1 for line in lines])


def _body_pages(pdf: Path) -> list[Page]:
    """The pages that are full of chapter text (not openings, not the last of a chapter)."""
    openings = set(top_level_pages(pdf).values())
    found = pages(pdf)
    return [
        p
        for p in found
        if p.number not in openings
        and p.number + 1 not in openings
        and p.number < len(found)
        and p.number > min(openings)
        and len(p.words) > 200
    ]


@pytest.mark.parametrize("name", ["default", "ucl", "leicester", "uq"])
def test_each_preset_sets_paper_and_margins(books: dict[str, Path], name: str) -> None:
    layout = DEFAULT if name == "default" else PRESETS[name]
    full = _body_pages(books[name])
    assert full, "no full page of text"
    for page in full:
        assert (page.width, page.height) == pytest.approx((210 * MM, 297 * MM), abs=0.5)
        left, right = _edges(page, layout)
        recto = not layout.two_sided or page.number % 2 == 1
        inner_edge, outer_edge = (left, page.width - right) if recto else (page.width - right, left)
        assert inner_edge == pytest.approx(layout.inner * MM, abs=1.5), page.number
        assert outer_edge == pytest.approx(layout.outside * MM, abs=1.5), page.number
        words = page.body(layout.top * MM, layout.bottom * MM)
        assert min(w.y0 for w in words) >= layout.top * MM - 1


def test_two_sided_margins_alternate_between_right_and_left_hand_pages(books) -> None:
    layout = PRESETS["ucl"]
    lefts = {p.number % 2: _edges(p, layout)[0] for p in _body_pages(books["ucl"])}
    assert set(lefts) == {0, 1}, "need a full left-hand and a full right-hand page"
    assert lefts[1] - lefts[0] == pytest.approx((layout.inner - layout.outside) * MM, abs=1.5)


def test_chapters_open_on_right_hand_pages_after_an_empty_verso(books) -> None:
    pdf = books["ucl"]
    openings = top_level_pages(pdf)
    found = pages(pdf)
    chapters = [n for title, n in openings.items() if title[:1].isdigit() or "part" in title]
    assert len(chapters) == 4  # the part and three chapters
    assert all(n % 2 == 1 for n in chapters), openings
    blanks = [p for p in found if not p.words]
    assert blanks, "no chapter ended on a right-hand page"
    for blank in blanks:  # empty: no running header, no page number
        after = found[blank.number]  # the page after it (numbers count from 1)
        unlisted = ("Declaration", "Contents", "List")  # openings without a bookmark
        opening = blank.number + 1 in openings.values() or after.words[0].text in unlisted
        assert blank.number % 2 == 0 and opening, blank.number
    # the one-sided default and the two-sided uq (as free of blank pages as possible) have none
    for name in ("default", "uq"):
        assert all(p.words for p in pages(books[name])), name


def test_line_spacing_and_type_size_follow_the_layout(books) -> None:
    def pitch(name: str) -> float:
        layout = DEFAULT if name == "default" else PRESETS[name]
        steps = []
        for page in _body_pages(books[name]):
            ys = [line[0].y1 for line in _lines(page, layout)]
            steps += [b - a for a, b in itertools.pairwise(ys)]
        return statistics.median(steps)

    # double (2.0) against one-and-a-half (1.5) spacing at 12 pt: Quarto's leading is
    # linestretch x 0.65em, so lines are 0.5 x 0.65 x 12 pt further apart
    assert pitch("leicester") - pitch("default") == pytest.approx(0.5 * 0.65 * 12, abs=0.3)

    def height(name: str) -> float:  # poppler's word boxes are proportional to the type size
        return statistics.median(
            w.y1 - w.y0 for p in _body_pages(books[name]) for w in p.body(25 * MM, 25 * MM)
        )

    assert height("default") / height("small") == pytest.approx(12 / 10, rel=0.02)


def test_the_registry_states_the_layout_options_and_their_defaults() -> None:
    from bookbuild.config import layout, registry

    typst = registry.at(registry.TYPST)
    assert set(typst["papersize"].allowed) == set(layout.PAPERS)
    assert typst["fontsize"].default == f"{DEFAULT.fontsize:g}pt"
    assert typst["linestretch"].default == DEFAULT.linestretch
    margin = f"top {DEFAULT.top:g}mm, bottom {DEFAULT.bottom:g}mm, left {DEFAULT.inside:g}mm, "
    assert typst["margin"].default == margin + f"right {DEFAULT.outside:g}mm"
    own = registry.at(registry.LAYOUT)
    assert set(own["preset"].allowed) == set(PRESETS)
    assert own["binding"].default == f"{DEFAULT.binding:g}mm"
    assert (own["sides"].default, own["chapters-open"].default) == (
        DEFAULT.sides,
        DEFAULT.chapters_open,
    )
