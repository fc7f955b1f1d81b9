"""Tables never print text over text in the PDF.

`bookbuild.writers.pdf_check` finds words whose boxes overlap (poppler's word boxes); these
tests show that it catches a table typeset with columns too narrow for its words, that a book
with deliberately wide tables builds into a PDF without any overlap (the widest turned sideways
on a float page of its own, the text after it filling the page before; a long one as wide on
landscape pages; a less wide one in smaller type), and that the thesis itself has none.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from bookbuild.commands.build import build
from bookbuild.errors import BuildError
from bookbuild.writers import pdf
from bookbuild.writers.pdf_check import check_no_overlaps, overlaps, word_boxes

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) needed"
)
ROOT = Path(__file__).resolve().parents[1]

# Twelve columns of long words: far wider than an A4 page in 9 pt type.
WIDE_HEAD = [
    "Cause of poverty",
    "n",
    *(
        f"{w} (%)"
        for w in (
            "industry project",
            "skills training",
            "microcredit",
            "education aid",
            "medical aid",
            "housing renovation",
            "relocation",
            "public-welfare job",
            "asset-income dividend",
            "technology extension",
        )
    ),
]
WIDE_ROWS = [
    ["disability", "35", *map(str, range(60, 70))],
    ["education costs", "14", *map(str, range(10, 20))],
]
# As wide, and too long to fit the text width when turned: landscape pages of its own.
LONG_ROWS = [["lack of labour", str(n), *map(str, range(n, n + 10))] for n in range(40)]
# Nine columns: too wide for 9 pt, narrow enough for smaller type on a portrait page.
MEDIUM_HEAD = [
    "Household",
    "Registered",
    "Exited",
    "Marginal",
    "Dividend",
    "Relocation",
    "Microcredit",
    "Extension",
    "Renovation",
]
MEDIUM_ROWS = [["illness", "1", "2", "3", "4", "5", "6", "7", "8"]]


def _pipe(head: list[str], rows: list[list[str]], caption: str, label: str) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + f"\n\n: {caption} {{#{label}}}\n"


def test_the_check_catches_words_printed_over_each_other(tmp_path: Path) -> None:
    typst = pytest.importorskip("typst")
    source = tmp_path / "narrow.typ"
    cells = ", ".join(
        f"[{c}]"
        for c in [
            "disability",
            "35",
            "microcredit",
            "relocation",
            "alpha",
            "beta",
            "gamma",
            "delta",
        ]
    )
    source.write_text(
        "#set page(width: 220pt, height: 120pt, margin: 10pt)\n"
        "#set text(size: 9pt)\n"
        f"#table(columns: (30pt, 30pt, 30pt, 30pt), {cells})\n",
        "utf-8",
    )
    out = tmp_path / "narrow.pdf"
    typst.compile(str(source), output=str(out))
    found = overlaps(out)
    pairs = {(o.first.text, o.second.text) for o in found}
    assert ("disability", "3") in pairs or ("disability", "35") in pairs
    assert ("microcredit", "relocation") in pairs
    assert all(o.page == 1 for o in found)
    # the short words of the second row fit their cells: not reported
    assert not any("alpha" in pair or "beta" in pair for pair in pairs)
    with pytest.raises(BuildError) as caught:
        check_no_overlaps(out)
    assert "overlap" in caught.value.message and "page 1" in caught.value.detail


def test_the_check_catches_overlaps_in_a_table_turned_sideways(tmp_path: Path) -> None:
    """Words of a table turned a quarter anticlockwise run up the page; the check compares
    them along their lines too (an overlap there is short across the page's width)."""
    typst = pytest.importorskip("typst")
    source = tmp_path / "turned.typ"
    source.write_text(
        "#set page(width: 120pt, height: 220pt, margin: 10pt)\n"
        "#set text(size: 9pt)\n"
        "#rotate(-90deg, reflow: true)[#table(columns: (30pt, 60pt, 60pt), "
        "[microcredit], [relocation], [alpha], [beta], [gamma], [delta])]\n",
        "utf-8",
    )
    out = tmp_path / "turned.pdf"
    typst.compile(str(source), output=str(out))
    pairs = {frozenset((o.first.text, o.second.text)) for o in overlaps(out)}
    assert pairs == {frozenset(("microcredit", "relocation"))}  # the others fit their cells


def test_table_fit_chooses_type_size_then_landscape() -> None:
    assert pdf.table_fit([["Year", "Value"], ["2014", "3500"]]) == (pdf.TABLE_SIZE_PT, False)
    size, landscape = pdf.table_fit([MEDIUM_HEAD, *MEDIUM_ROWS])
    assert not landscape and pdf.TABLE_MIN_SIZE_PT <= size <= pdf.TABLE_SIZE_PT - 1
    size, landscape = pdf.table_fit([WIDE_HEAD, *WIDE_ROWS])
    assert landscape
    # the longest words side by side fit the landscape text width in the chosen size
    longest = [
        max(pdf._text_width(w, size) for row in [WIDE_HEAD, *WIDE_ROWS] for w in row[col].split())
        for col in range(len(WIDE_HEAD))
    ]
    assert sum(longest) + len(WIDE_HEAD) * pdf.TABLE_PAD_PT <= pdf.LANDSCAPE_WIDTH_PT


@pytest.fixture(scope="module")
def wide_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The PDF of a two-chapter book whose chapter holds a wide and a medium table."""
    root = tmp_path_factory.mktemp("widebook")
    (root / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: Wide tables\n  author: A. N. Author\n"
        "  date: '2026'\n  chapters:\n    - index.qmd\n    - tables.qmd\n",
        "utf-8",
    )
    (root / "index.qmd").write_text("# Preface {.unnumbered}\n\nA book of tables.\n", "utf-8")
    (root / "tables.qmd").write_text(
        "# Tables\n\nBefore the tables.\n\n"
        + _pipe(WIDE_HEAD, WIDE_ROWS, "A wide table.", "tbl-wide")
        + "\nBetween them.\n\n"
        + _pipe(MEDIUM_HEAD, MEDIUM_ROWS, "A medium table.", "tbl-medium")
        + "\nAfter the tables.\n\n"
        + _pipe(WIDE_HEAD, LONG_ROWS, "A long wide table.", "tbl-long")
        + "\nAfterwards the text goes on.\n",
        "utf-8",
    )
    report = build(root, formats=("pdf",), jobs=1)
    return report.output / "thesis.pdf"


def _page_of(pages: list[list], word: str) -> int:
    return next(n for n, words in enumerate(pages) if any(w.text == word for w in words))


def test_a_deliberately_wide_table_prints_no_text_over_text(wide_book: Path) -> None:
    assert overlaps(wide_book) == []
    pages = word_boxes(wide_book)
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(wide_book)
    wide = _page_of(pages, "microcredit")
    box = reader.pages[wide].mediabox
    assert box.width < box.height  # turned sideways on an upright page, as sidewaystable
    words = [w for w in pages[wide] if len(w.text) >= 5 and w.y0 > 72]  # not the header
    assert words and all(w.y1 - w.y0 > 1.5 * (w.x1 - w.x0) for w in words)  # they run up it
    assert {w.text for w in pages[wide]} >= {"disability", "education", "(%)"}
    # the text after it runs on: the page before holds it, and no other text shares the table's
    assert _page_of(pages, "Before") == _page_of(pages, "Between") == _page_of(pages, "After")
    assert _page_of(pages, "After") < wide
    assert not {"Before", "Between", "After", "long"} & {w.text for w in pages[wide]}


def test_a_wide_table_too_long_to_turn_gets_landscape_pages(wide_book: Path) -> None:
    pages = word_boxes(wide_book)
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(wide_book)
    first = _page_of(pages, "labour")  # its first row
    boxes = [page.mediabox for page in reader.pages]
    landscape = [n for n, box in enumerate(boxes) if box.width > box.height]
    assert landscape[0] == first and len(landscape) >= 2  # it breaks across them
    assert _page_of(pages, "Afterwards") > landscape[-1]


def test_a_less_wide_table_is_set_in_smaller_type(wide_book: Path) -> None:
    pages = word_boxes(wide_book)
    words = [w for page in pages for w in page]
    height = {w.text: w.y1 - w.y0 for w in words}
    body = height["After"]
    table = height["Microcredit"]
    size, _ = pdf.table_fit([MEDIUM_HEAD, *MEDIUM_ROWS])
    # poppler's word boxes are proportional to the type size
    assert size <= pdf.TABLE_SIZE_PT - 1
    assert table == pytest.approx(body * size / 11, rel=0.03)


def test_the_thesis_prints_no_text_over_text() -> None:
    thesis = ROOT / "_book" / "thesis.pdf"
    if not thesis.is_file():
        pytest.fail("no built edition in _book/: run `make` (or `make test`) first")
    assert [str(o) for o in overlaps(thesis)] == []
    text = subprocess.run(
        ["pdftotext", "-layout", str(thesis), "-"], capture_output=True, text=True, check=True
    ).stdout
    for merged in ("projecttraining", "disability35", "education14"):
        assert merged not in text


def test_a_wide_table_inside_a_div_gets_the_smallest_type_not_a_page() -> None:
    from bookbuild.document import pandoc

    markdown = _pipe(WIDE_HEAD, WIDE_ROWS, "A wide table.", "tbl-wide")
    top = pandoc.markdown_to_ast(markdown, ROOT, "a test")["blocks"]
    nested = pandoc.markdown_to_ast(f"::: {{.cell}}\n{markdown}\n:::\n", ROOT, "a test")["blocks"]
    opened = pdf.wide_tables(top)[0]
    assert opened["t"] == "RawBlock" and opened["c"][1].startswith("#sideways(")
    div = pdf.wide_tables(nested)[0]
    inner = div["c"][1][0]
    assert inner["c"][1] == f"#[\n#show table: set text(size: {pdf.TABLE_MIN_SIZE_PT:g}pt)"
