"""Statistical symbols in italics (*p*, *n*, *W*, *r*, *κ* ...), in the text and the table
headers of both editions, through one mechanism: `fmt.symbols`/`fmt.header` give a `Markup`,
plain text as a `str`, Markdown (the symbol in emphasis) through `_repr_markdown_`, which the
build weaves in as markup for an inline value and a table header, as Quarto does for a
`Markdown` value.

Units: the Markup and its Markdown; the weave of a Markdown inline value and of a marked
header. Editions: the HTML has `<em>p</em>` before "= 0.0..." and `<th><em>n</em></th>`;
the PDF's body text runs for the symbols are in Libertinus Serif Italic. Figure labels
("illness (n = 68)") stay upright: matplotlib sets a label in one face.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis import fmt, tables
from bookbuild.execute.kernel import MarkdownValue
from bookbuild.execute.weave import replace_inlines
from bookbuild.source.markdown_text import pipe_table

REPO = Path(__file__).resolve().parents[1]
BOOK = REPO / "_book"


def _built(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"no built edition ({path.relative_to(REPO)}): run `make` first")
    return path


def test_pval_is_plain_text_with_an_italic_symbol_in_markdown():
    value = fmt.pval(0.0234)
    assert value == "p\u00a0=\u00a00.023" and isinstance(value, str)
    assert value._repr_markdown_() == "*p*\u00a0\\=\u00a00\\.023"
    assert fmt.pval(0.0001)._repr_markdown_() == "*p*\u00a0\\<\u00a00\\.001"
    assert f"({value})" == "(p\u00a0=\u00a00.023)"  # in an f-string: the plain text


def test_symbols_are_whole_words_only():
    assert fmt.symbols("p and p2 and up", "p")._repr_markdown_() == "*p* and p2 and up"
    assert fmt.symbols("χ² = 3.10", "χ")._repr_markdown_() == "*χ*² \\= 3\\.10"
    with pytest.raises(ValueError, match="not a statistical symbol"):
        fmt.symbols("x", "x")


@pytest.mark.parametrize(
    ("text", "markdown"),
    [
        ("n", "*n*"),
        ("p (Holm)", "*p* \\(Holm\\)"),
        ("Rank-biserial r", "Rank\\-biserial *r*"),
        ("Cohen's κ", "Cohen's *κ*"),
        ("Households (n)", "Households \\(*n*\\)"),
        ("SE (naive)", "*SE* \\(naive\\)"),
        ("95% CI", "95\\% CI"),
        ("Median 2014 (yuan)", "Median 2014 \\(yuan\\)"),
    ],
)
def test_table_headers_mark_their_symbols(text: str, markdown: str):
    assert fmt.header(text)._repr_markdown_() == markdown
    assert str(fmt.header(text)) == text


def test_a_thesis_table_carries_marked_headers(hh):
    table = tables.income_change_table(hh)
    marked = {str(c): c._repr_markdown_() for c in table.columns if hasattr(c, "_repr_markdown_")}
    assert marked["W"] == "*W*" and marked["p"] == "*p*" and marked["n"] == "*n*"
    assert marked["Rank-biserial r"] == "Rank\\-biserial *r*"


def test_weave_inserts_markdown_values_as_markup_and_text_escaped():
    text = "A `{python} a`, then `{python} b`.\n"
    value = MarkdownValue("*p*\u00a0\\=\u00a00\\.02\n")
    woven = replace_inlines(text, [value, "*not emphasis*"])
    assert woven == "A *p*\u00a0\\=\u00a00\\.02, then \\*not emphasis\\*.\n"


def test_pipe_table_uses_the_header_markdown():
    table = pipe_table(["p (Holm)", "n|m"], [["0.1", "3"]], "", "", ["*p* \\(Holm\\)", None])
    assert table.splitlines()[0] == "| *p* \\(Holm\\) | n\\|m |"


# ---- the editions ---------------------------------------------------------------------------


def test_html_sets_symbols_in_italics():
    page = _built(BOOK / "05-findings.html").read_text("utf-8")
    assert re.search(r"<em>p</em>\u00a0(=\u00a00\.\d{3}|&lt;\u00a00\.001)", page)
    for symbol in ("W", "H", "U", "F", "ρ", "r", "n", "κ"):
        assert re.search(rf"<em>{symbol}</em> = \d", page), symbol
    heads = re.findall(r"<th[^>]*>(.*?)</th>", page)
    assert "<em>n</em>" in heads and "<em>W</em>" in heads and "<em>U</em>" in heads
    assert "Rank-biserial <em>r</em>" in heads and "<em>p</em> (Holm)" in heads
    assert not re.search(r"(?<![\w>])p\u00a0=\u00a00\.\d", re.sub(r"<em>p</em>", "", page))


def test_pdf_sets_symbols_in_the_italic_face():
    from pypdf import PdfReader

    reader = PdfReader(_built(BOOK / "thesis.pdf"))
    runs: list[tuple[str, str]] = []

    def visit(text, cm, _tm, font, _size):
        # the body's text only: a figure's text is drawn scaled (its labels stay upright)
        if text.strip() and font and (cm[0], abs(cm[3])) == (1.0, 1.0):
            runs.append((text, str(font.get("/BaseFont"))))

    for page in reader.pages:
        if "Kruskal" in (page.extract_text() or ""):
            page.extract_text(visitor_text=visit)
    symbols = [font for text, font in runs if text.strip() in ("p", "H", "n", "U", "W")]
    assert len(symbols) >= 5
    assert all("Italic" in font for font in symbols), symbols
