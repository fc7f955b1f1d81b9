"""Cross-reference kinds beyond figures, tables, sections and equations: the theorem family,
proofs, callouts and listings, with Quarto's titles and numbering, the `@Tbl-x` and
`[-@tbl-x]` forms, and the `crossref:` prefix and title options, in HTML and PDF.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bookbuild_helpers import page, pdf_text, run

from bookbuild.document import pandoc
from bookbuild.document.ast import Str, stringify, walk
from bookbuild.document.chapter import Chapter
from bookbuild.document.crossref import number_book
from bookbuild.document.kinds import BY_PREFIX, TABLE
from bookbuild.document.layout import subfigure_rows
from bookbuild.writers.rewrites import html_subfigures

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) needed"
)

CONFIG = """\
project:
  type: book
book:
  title: "Kinds"
  chapters:
    - index.qmd
    - one.qmd
    - two.qmd
crossref:
  tbl-prefix: tab.
  thm-title: Thm
format:
  html: {}
  typst: {}
"""
ONE = """\
# Kinds {#sec-kinds}

::: {#thm-line}
## Line
A line is straight.
:::

::: {#lem-small}
Small things.
:::

::: {#thm-second}
Another theorem.
:::

::: {.proof}
Obvious.
:::

::: {#nte-first .callout-note}
## Noted
A numbered note.
:::

::: {#tip-plain .callout-tip}
A tip without a title.
:::

```{#lst-hello .python lst-cap="Saying hello"}
print("hello")
```

| a | b |
|---|---|
| 1 | 2 |

: Numbers {#tbl-nums}

See @thm-line, @thm-second, [-@lem-small], @nte-first, @tip-plain and @lst-hello.

Tables: @tbl-nums, @Tbl-nums and [-@tbl-nums].
"""
TWO = """\
# Second

::: {#exm-two}
## Counting
Numbers restart in each chapter.
:::

Back to @thm-line and on to @exm-two.

::: {#fig-panels layout-ncol=2}

::: {#fig-panels-1}
Left panel text.

Left caption
:::

::: {#fig-panels-2}
Right panel text.

Right caption
:::

::: {#fig-panels-3}
Third panel text.

Third caption
:::

Three panels in two columns.
:::

::: {#fig-single}
A single text figure.

The single caption.
:::

Figures: @fig-panels, @Fig-panels-1, [-@fig-panels-3] and @fig-single.

::: {#tbl-panel layout-ncol=2}
| Col1 | Col2 |
|------|------|
| A    | B    |

: First sub-table {#tbl-first}

| Col1 | Col2 |
|------|------|
| E    | F    |

: Second sub-table {#tbl-second}

Two tables side by side.
:::

Tables: @tbl-panel and @tbl-second.
"""


def make_book(root: Path, files: dict[str, str], config: str = CONFIG) -> Path:
    root.mkdir(parents=True)
    (root / "_quarto.yml").write_text(config, "utf-8")
    (root / "index.qmd").write_text("# Preface {.unnumbered}\n\nA preface.\n", "utf-8")
    for name, text in files.items():
        (root / name).write_text(text, "utf-8")
    return root


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_book(tmp_path_factory.mktemp("kinds") / "book", {"one.qmd": ONE, "two.qmd": TWO})
    result = run(root, "build", "--quiet")
    assert result.code == 0, result.err
    return root


@pytest.fixture(scope="module")
def pdf(book: Path) -> str:
    text = pdf_text(book / "_book" / "thesis.pdf")
    return text[text.index("CHAPTER 1") :]


def _norm(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def _refs(book: Path, name: str) -> list[tuple[str, str]]:
    return [
        (_norm(a.text()), a.attrs["href"])
        for a in page(book, name).find_all("a", cls="quarto-xref")
    ]


def test_one_table_of_kinds():
    prefixes = [kind.prefix for kind in TABLE]
    assert len(prefixes) == len(set(prefixes))
    for prefix in (
        "fig",
        "tbl",
        "eq",
        "sec",
        "lst",
        "thm",
        "lem",
        "cor",
        "prp",
        "cnj",
        "def",
        "exm",
        "exr",
        "sol",
        "rem",
        "nte",
        "tip",
        "wrn",
        "imp",
        "cau",
    ):
        assert prefix in BY_PREFIX, prefix


def test_theorems_are_titled_and_numbered_per_kind(book: Path):
    body = page(book, "one.html").find("main")
    thm = body.find("div", id="thm-line")
    assert "theorem" in thm.classes
    assert _norm(thm.find("span", cls="theorem-title").text()) == "Thm 1.1 (Line)"
    assert _norm(body.find("div", id="lem-small").find("strong").text()) == "Lemma 1.1"
    assert _norm(body.find("div", id="thm-second").find("strong").text()) == "Thm 1.2"
    assert not body.find_all("h2")  # the theorem's heading is its name, not a section
    proof = body.find("div", cls="proof")
    assert _norm(proof.text()) == "Proof. Obvious."
    assert proof.find("em").text() == "Proof"


def test_references_to_every_kind(book: Path):
    assert _refs(book, "one.html") == [
        ("Theorem 1.1", "#thm-line"),
        ("Theorem 1.2", "#thm-second"),
        ("1.1", "#lem-small"),
        ("Note 1.1", "#nte-first"),
        ("Tip 1.1", "#tip-plain"),
        ("Listing 1.1", "#lst-hello"),
        ("tab. 1.1", "#tbl-nums"),
        ("Tab. 1.1", "#tbl-nums"),
        ("1.1", "#tbl-nums"),
    ]
    assert _refs(book, "two.html") == [
        ("Theorem 1.1", "one.html#thm-line"),
        ("Example 2.1", "#exm-two"),
        ("Figure 2.1", "#fig-panels"),
        ("Figure 2.1 (a)", "#fig-panels-1"),
        ("2.1 (c)", "#fig-panels-3"),
        ("Figure 2.2", "#fig-single"),
        ("tab. 2.1", "#tbl-panel"),
        ("tab. 2.1 (b)", "#tbl-second"),
    ]  # tbl-prefix: tab.


def test_numbered_callouts_and_listing(book: Path):
    body = page(book, "one.html").find("main")
    note = body.find("div", id="nte-first")
    assert _norm(note.find("div", cls="callout-title").text()) == "Note 1.1: Noted"
    assert note.attrs["aria-label"] == "Note\u00a01.1: Noted"
    tip = body.find("div", id="tip-plain")
    assert _norm(tip.find("div", cls="callout-title").text()) == "Tip 1.1"
    listing = body.find("div", id="lst-hello")
    assert (
        _norm(listing.find("figcaption", cls="listing-caption").text())
        == "Listing 1.1: Saying hello"
    )
    assert listing.find_all("strong") == []  # plain text, as Quarto writes it
    assert 'print("hello")' in listing.find("pre").text()
    caption = body.find("caption")  # the table's caption keeps its title: tbl-title is unset
    assert _norm(caption.text()) == "Table 1.1: Numbers"


def test_kinds_in_pdf(pdf: str):
    text = _norm(pdf)
    for expected in (
        "Thm 1.1 (Line) A line is straight.",
        "Lemma 1.1 Small things.",
        "Thm 1.2 Another theorem.",
        "Proof. Obvious.",
        "Note 1.1: Noted",
        "Tip 1.1 A tip without a title.",
        "Listing 1.1: Saying hello",
        "See Theorem 1.1, Theorem 1.2, 1.1, Note 1.1, Tip 1.1 and Listing 1.1.",
        "Tables: tab. 1.1, Tab. 1.1 and 1.1.",
        "Example 2.1 (Counting)",
        "Back to Theorem 1.1 and on to Example 2.1.",
        "Left panel text. Right panel text. (a) Left caption (b) Right caption "
        "Third panel text. (c) Third caption Figure 2.1: Three panels in two columns.",
        "A single text figure. Figure 2.2: The single caption.",
        "Figures: Figure 2.1, Figure 2.1 (a), 2.1 (c) and Figure 2.2.",
        "Table 2.1: Two tables side by side. (a) First sub-table (b) Second sub-table",
        "Tables: tab. 2.1 and tab. 2.1 (b).",
    ):
        assert expected in text, expected


def _fails(tmp_path: Path, chapter: str, *words: str, config: str = CONFIG) -> None:
    root = make_book(tmp_path / "bad", {"one.qmd": chapter, "two.qmd": TWO}, config)
    result = run(root, "build", "--quiet")
    assert result.code == 1, result.err
    for word in words:
        assert word in result.err, (word, result.err)


def test_callout_label_must_match_its_kind(tmp_path: Path):
    _fails(
        tmp_path,
        "# One\n\n::: {#nte-x .callout-tip}\nx\n:::\n",
        "one.qmd:3",
        "must label a .callout-note",
    )


def test_theorem_label_on_a_heading_is_refused(tmp_path: Path):
    _fails(tmp_path, "# One\n\n## A heading {#thm-x}\n\nx\n", "one.qmd:3", "is on a Header")


def test_listing_without_caption_is_numbered():
    blocks, targets = _numbered("# One\n\n```{#lst-x .python}\nx = 1\n```\n")
    listing = next(n for n in walk(blocks) if n["t"] == "Div" and n["c"][0][0] == "lst-x")
    assert stringify(listing["c"][1][0]) == "Listing\u00a01.1"
    assert targets["lst-x"].text == "Listing\u00a01.1"


def test_unsupported_crossref_option_is_refused(tmp_path: Path):
    config = CONFIG.replace("  thm-title: Thm\n", "  thm-title: Thm\n  appendix-title: App\n")
    _fails(
        tmp_path,
        "# One\n\nx\n",
        "_quarto.yml:12",
        "crossref option 'appendix-title'",
        "not supported",
        config=config,
    )


def test_subfigures_in_html(book: Path):
    figure = page(book, "two.html").find("div", id="fig-panels")
    rows = figure.find_all("div", cls="layout-row")
    assert [[f.attrs["id"] for f in row.find_all("div", cls="quarto-float")] for row in rows] == [
        ["fig-panels-1", "fig-panels-2"],
        ["fig-panels-3"],
    ]
    assert rows[0].attrs["style"] == "grid-template-columns: 1fr 1fr"
    captions = [_norm(c.text()) for c in figure.find_all("figcaption")]
    assert captions == [
        "(a) Left caption",
        "(b) Right caption",
        "(c) Third caption",
        "Figure 2.1: Three panels in two columns.",
    ]
    assert "data-layout-rows" not in (book / "_book" / "two.html").read_text("utf-8")


def test_subfigures_stay_out_of_the_list_of_figures(pdf: str, book: Path):
    text = _norm(pdf_text(book / "_book" / "thesis.pdf"))
    listing = text[text.index("List of Figures") : text.index("List of Tables")]
    assert "2.1 Three panels in two columns" in listing
    assert "2.2 The single caption" in listing
    assert "Left caption" not in listing


def test_a_layout_div_lays_out_its_blocks():
    blocks, targets = _numbered("# One\n\n::: {layout-ncol=2}\nFirst.\n\nSecond.\n\nThird.\n:::\n")
    div = next(n for n in walk(blocks) if n["t"] == "Div")
    assert subfigure_rows(div) == [[1.0, 1.0], [1.0]]
    assert not targets
    html_subfigures(blocks)
    rows = [n for n in walk(blocks) if n["t"] == "Div" and "layout-row" in n["c"][0][1]]
    assert [stringify(r["c"][1]) for r in rows] == ["First.Second.", "Third."]


def test_a_layout_on_a_table_div_is_refused(tmp_path: Path):
    chapter = "# One\n\n::: {#tbl-x layout-ncol=2}\n| a |\n|---|\n| 1 |\n\nCap.\n:::\n"
    _fails(tmp_path, chapter, "one.qmd:3", "needs two or more sub-tables")


def test_bad_layout_is_refused(tmp_path: Path):
    chapter = (
        '# One\n\n::: {#fig-x layout="[[1,-1]]"}\n::: {#fig-x-1}\na\n\nA\n:::\n\n'
        "::: {#fig-x-2}\nb\n\nB\n:::\n\nCaption\n:::\n"
    )
    _fails(tmp_path, chapter, "one.qmd:3", "spacers are not supported")


def _numbered(text: str) -> tuple[list, dict]:
    blocks = pandoc.markdown_to_ast(text, Path.cwd(), "one.qmd")["blocks"]
    chapter = Chapter(
        path=Path("one.qmd"), page="one.html", appendix=False, part=None, source=text, blocks=blocks
    )
    targets = number_book([chapter])
    return chapter.blocks, targets


def test_image_subfigures_with_a_layout_array():
    text = (
        '# One\n\n::: {#fig-maps layout="[[2,1],[1]]"}\n![North](n.svg){#fig-maps-n}\n\n'
        "![South](s.svg)\n\n![East](e.svg){#fig-maps-e}\n\nThree maps.\n:::\n"
    )
    blocks, targets = _numbered(text)
    figure = next(n for n in walk(blocks) if n["t"] == "Figure")
    assert stringify(figure["c"][1][1]) == "Figure\u00a01.1: Three maps."
    subs = [n for n in walk(figure["c"][2]) if n["t"] == "Figure"]
    assert [stringify(s["c"][1][1]) for s in subs] == ["(a) North", "(b) South", "(c) East"]
    assert subfigure_rows(figure) == [[2.0, 1.0], [1.0]]
    assert targets["fig-maps-n"].text == "Figure\u00a01.1 (a)"
    assert targets["fig-maps-e"].number == "1.1 (c)"
    assert [t.number for t in targets.values() if t.kind == "fig"] == ["1.1", "1.1 (a)", "1.1 (c)"]


def test_a_div_around_one_image_is_one_figure():
    blocks, targets = _numbered("# One\n\n::: {#fig-one}\n![Alt text](a.svg)\n\nCaption.\n:::\n")
    figures = [n for n in walk(blocks) if n["t"] == "Figure"]
    assert len(figures) == 1
    assert stringify(figures[0]["c"][1][1]) == "Figure\u00a01.1: Caption."
    image = next(n for n in walk(figures[0]) if n["t"] == "Image")
    assert stringify(image["c"][1]) == "Alt text"
    assert list(targets) == ["fig-one"]


def test_a_div_around_a_table_labels_the_table():
    text = "# One\n\n::: {#tbl-div}\n| a | b |\n|---|---|\n| 1 | 2 |\n\nDiv caption.\n:::\n"
    blocks, targets = _numbered(text)
    table = next(n for n in walk(blocks) if n["t"] == "Table")
    assert table["c"][0][0] == "tbl-div"
    assert stringify(table["c"][1][1]) == "Table\u00a01.1: Div caption."
    assert targets["tbl-div"].text == "Table\u00a01.1"
    assert "Div caption" not in stringify([b for b in walk(blocks) if b["t"] == "Para"])


def test_plain_callout_without_a_kind_is_refused(tmp_path: Path):
    _fails(
        tmp_path,
        "# One\n\n::: {.callout}\nx\n:::\n",
        "one.qmd:3",
        "a callout needs its kind",
        ".callout-note",
    )


def test_sub_tables_in_html_and_the_list_of_tables(book: Path):
    panel = page(book, "two.html").find("div", id="tbl-panel").find("figure")
    assert "table-panel" in panel.classes
    assert [t.attrs["id"] for t in panel.find_all("div", cls="quarto-float")] == [
        "tbl-first",
        "tbl-second",
    ]
    assert [_norm(c.text()) for c in panel.find_all("caption")] == [
        "(a) First sub-table",
        "(b) Second sub-table",
    ]
    assert _norm(panel.find("figcaption").text()) == "Table 2.1: Two tables side by side."
    text = _norm(pdf_text(book / "_book" / "thesis.pdf"))
    tables = text[text.index("List of Tables") : text.index("CHAPTER 1")]
    assert "2.1 Two tables side by side" in tables and "sub-table" not in tables


def test_table_div_without_a_table_is_refused(tmp_path: Path):
    _fails(
        tmp_path,
        "# One\n\n::: {#tbl-x layout-ncol=2}\njust text\n:::\n",
        "one.qmd:3",
        "table 'tbl-x' has a layout but no sub-tables (tables or tbl- divs) to lay out",
    )


def test_a_named_proof_keeps_the_names_formatting_after_its_title():
    """As Quarto (its proof.lua): "*Solution* (**Solution** 2)." — the kind's title alone is
    emphasised and the name, from a leading heading with its own markup or from `name=`,
    follows in parentheses."""
    from bookbuild.document.theorems import prepare_theorems

    heading = {
        "t": "Header",
        "c": [1, ["", [], []], [{"t": "Strong", "c": [Str("Solution")]}, {"t": "Space"}, Str("2")]],
    }
    para = {"t": "Para", "c": [Str("Done.")]}
    by_heading = {"t": "Div", "c": [["", ["solution"], []], [heading, para]]}
    by_name = {"t": "Div", "c": [["", ["proof"], [["name", "Of 1"]]], [dict(para)]]}
    prepare_theorems([by_heading, by_name])
    title = by_heading["c"][1][0]["c"][0]
    assert title["c"][0][1] == ["proof-title"]
    kinds = [n["t"] for n in title["c"][1]]
    assert kinds == ["Emph", "Str", "Strong", "Space", "Str", "Str", "Str"]
    assert stringify(title["c"][1][0]) == "Solution"
    assert stringify(by_heading["c"][1][0]) == "Solution (Solution 2). Done."
    assert stringify(by_name["c"][1][0]) == "Proof (Of 1). Done."
    assert len(by_heading["c"][1]) == 1  # the heading became the name, not a section
