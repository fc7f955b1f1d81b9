"""Quarto block features in both editions: conditional content, tabsets, callouts.

One small book (no Python cells) holds every construct and is built once; the HTML pages are
read as a DOM and the PDF through `pdftotext`. Each refusal builds its own one-chapter book
and checks that the message names the file, the line and the feature.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from bookbuild_helpers import page, pdf_text, run, run_process

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) needed"
)

CONFIG = """\
project:
  type: book
book:
  title: "Blocks"
  chapters:
    - index.qmd
    - one.qmd
format:
  html: {}
  typst: {}
"""
INDEX = "# Preface {.unnumbered}\n\nA preface.\n"

ONE = """\
# Blocks {#sec-blocks}

::: {.content-visible when-format="html"}
Only-in-HTML paragraph.
:::

::: {.content-visible when-format="typst"}
Only-in-PDF paragraph.
:::

::: {.content-hidden when-format="html"}
Hidden-from-HTML paragraph.
:::

::: {.content-hidden unless-format="html"}
Hidden-unless-html paragraph.
:::

::: {.content-visible when-format="pdf"}
LaTeX-only paragraph.
:::

::: {.hidden}
Never-shown paragraph.
:::

Inline [html-span]{.content-visible when-format="html"}[pdf-span]{.content-visible
when-format="typst"} end.

```{.python .content-visible when-format="html"}
html_only_code = 1
```

## Results

::: {.panel-tabset}
Before-the-tabs text.

## Table view {#sec-table-view}

Tab-one body.

## Chart view {.active}

Tab-two body.
:::

## After the tabs

Closing text, back to @sec-table-view.

::: {.panel-tabset group="language"}
## Python
Python one.

## R
R one.
:::

::: {.panel-tabset group="language"}
## Python
Python two.

## R
R two.
:::

::: {.callout-note}
Note body.
:::

::: {.callout-tip title="Tip by attribute"}
Tip body.
:::

::: {.callout-warning collapse="true"}
## Closed warning
Warning body.
:::

::: {.callout-important collapse="false"}
## Open important
Important body.
:::

::: {.callout-caution appearance="simple"}
Caution body, no title.
:::

::: {.callout-note appearance="minimal" icon="false"}
## Minimal note
Minimal body.
:::

::: {.callout-tip}
## Run `make` *first*
Formatted-title body.
:::

Main-text paragraph.

::: {.column-margin}
A margin note.
:::

A sentence with [an aside remark]{.aside} inside.

```{.python filename="hello.py"}
print("named file")
```

::: {layout-ncol=2}
Left-column cell.

Right-column cell.
:::
"""


def make_book(root: Path, chapter: str, config: str = CONFIG) -> Path:
    root.mkdir(parents=True)
    (root / "_quarto.yml").write_text(config, "utf-8")
    (root / "index.qmd").write_text(INDEX, "utf-8")
    (root / "one.qmd").write_text(chapter, "utf-8")
    return root


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_book(tmp_path_factory.mktemp("blocks") / "book", ONE)
    result = run(root, "build", "--quiet")
    assert result.code == 0, result.err
    return root


@pytest.fixture(scope="module")
def html_text(book: Path) -> str:
    return page(book, "one.html").find("main").text()


@pytest.fixture(scope="module")
def pdf(book: Path) -> str:
    return pdf_text(book / "_book" / "thesis.pdf")


def _tabset(book: Path):
    return page(book, "one.html").find("div", cls="panel-tabset")


def fails(chapter: str, tmp_path: Path, *words: str, config: str = CONFIG) -> str:
    root = make_book(tmp_path / "bad", chapter, config)
    result = run(root, "build", "--quiet")
    assert result.code == 1, result.err
    for word in words:
        assert word in result.err, (word, result.err)
    assert "thesis.typ" not in result.err
    return result.err


# ---- conditional content --------------------------------------------------------------------


def test_format_conditions_in_html(html_text: str, book: Path):
    assert "Only-in-HTML paragraph." in html_text
    assert "Hidden-unless-html paragraph." in html_text
    for absent in ("Only-in-PDF", "Hidden-from-HTML", "LaTeX-only", "Never-shown", "pdf-span"):
        assert absent not in html_text, absent
    assert "html-span" in html_text
    assert "html_only_code" in html_text
    raw = (book / "_book" / "one.html").read_text("utf-8")
    assert "content-visible" not in raw and "when-format" not in raw


def test_format_conditions_in_pdf(pdf: str):
    assert "Only-in-PDF paragraph." in pdf
    assert "Hidden-from-HTML paragraph." in pdf
    assert "pdf-span" in pdf
    for absent in ("Only-in-HTML", "LaTeX-only", "Never-shown", "html-span", "html_only_code"):
        assert absent not in pdf, absent


def test_pdf_alias_matches_when_the_book_declares_format_pdf(tmp_path: Path):
    root = make_book(tmp_path / "latex", ONE, CONFIG.replace("typst: {}", "pdf: {}"))
    result = run(root, "build", "--quiet", "--to", "pdf")
    assert result.code == 0, result.err
    text = pdf_text(root / "_book" / "thesis.pdf")
    assert "LaTeX-only paragraph." in text
    assert "Only-in-PDF" not in text  # when-format="typst" is not this book's PDF


def test_numbered_heading_in_conditional_content_is_numbered_per_edition(tmp_path: Path):
    # more: tests/conformance/numbering/formats.qmd
    chapter = (
        '# One\n\ntext\n\n::: {.content-visible when-format="html"}\n## Web only\n:::\n\n## Both\n'
    )
    root = make_book(tmp_path / "split", chapter)
    result = run(root, "build", "--quiet")
    assert result.code == 0, result.err
    html_text = " ".join((root / "_book" / "one.html").read_text("utf-8").split())
    assert "1.1</span> Web only" in html_text and "1.2</span> Both" in html_text
    text = pdf_text(root / "_book" / "thesis.pdf")
    assert "1.1 Both" in text and "Web only" not in text


def test_when_profile_is_refused(tmp_path: Path):  # when-meta: tests/conformance/numbering
    chapter = '# One\n\n::: {.content-visible when-profile="draft"}\nx\n:::\n'
    fails(chapter, tmp_path, "one.qmd:3", "when-profile", "not supported")


# ---- tabsets --------------------------------------------------------------------------------


def test_tabset_is_an_aria_tab_list_in_html(book: Path):
    tabset = _tabset(book)
    tabs = tabset.find("div", cls="tab-list")
    assert tabs.attrs["role"] == "tablist"
    buttons = tabs.find_all("button")
    assert [b.text() for b in buttons] == ["Table view", "Chart view"]
    assert [b.attrs["role"] for b in buttons] == ["tab", "tab"]
    assert [b.attrs["aria-selected"] for b in buttons] == ["false", "true"]  # {.active}
    assert [b.attrs["tabindex"] for b in buttons] == ["-1", "0"]
    panels = [p for p in tabset.find_all("div") if p.attrs.get("role") == "tabpanel"]
    assert [p.attrs["id"] for p in panels] == [b.attrs["aria-controls"] for b in buttons]
    assert [p.attrs["id"] for p in panels] == ["tabset-1-1", "tabset-1-2"]  # Quarto's ids
    assert [p.attrs["class"] for p in panels] == ["tab-pane", "tab-pane active"]
    assert [b.attrs["class"] for b in buttons] == ["nav-link", "nav-link active"]
    anchor = panels[0].find("div", cls="tab-content-anchor")  # the heading's label: links land
    assert anchor.attrs["id"] == "sec-table-view"  # in its tab, which book.js opens
    assert [p.attrs["aria-labelledby"] for p in panels] == [b.attrs["id"] for b in buttons]
    assert ["hidden" in p.attrs for p in panels] == [True, False]
    assert [p.text().strip() for p in panels] == ["Tab-one body.", "Tab-two body."]
    assert not tabset.find_all("h2")  # the headings became the tabs


def test_tab_titles_are_not_sections(book: Path):
    body = page(book, "one.html").find("main")
    titles = [" ".join(h.text().split()) for h in body.find_all("h2")]
    assert titles == ["1.1 Results", "1.2 After the tabs"]
    assert "Before-the-tabs text." in body.text()
    script = (book / "_book" / "assets" / "book.js").read_text("utf-8")
    assert "querySelectorAll('.panel-tabset [role=\"tablist\"]')" in script


def test_tabset_is_sequential_sections_in_pdf(pdf: str):
    body = pdf[pdf.index("1.1 Results") :]
    assert (
        "1.1 Results Before-the-tabs text. Table view Tab-one body. Chart view Tab-two "
        "body. 1.2 After the tabs"
    ) in body
    contents = pdf[pdf.index("Contents") : pdf.index("1.1 Results Before")]
    assert "Table view" not in contents and "After the tabs" in contents


def test_tabset_without_headings_is_refused(tmp_path: Path):
    fails(
        "# One\n\n::: {.panel-tabset}\njust text\n:::\n",
        tmp_path,
        "one.qmd:3",
        "panel-tabset needs a heading",
    )


# ---- callouts -------------------------------------------------------------------------------


def _callouts(book: Path) -> list:
    main = page(book, "one.html").find("main")
    return [e for e in main.iter() if "callout" in e.classes]


def test_callouts_in_html(book: Path):
    found = []
    for box in _callouts(book):
        kind = next(
            c.removeprefix("callout-")
            for c in box.classes
            if c.startswith("callout-") and not c.startswith("callout-style")
        )
        titles = [e for e in box.iter() if "callout-title" in e.classes]
        body = box.find("div", cls="callout-body")
        found.append(
            (
                box.tag,
                kind,
                titles[0].text().strip() if titles else None,
                body.text().strip(),
                "open" in box.attrs,
                "callout-style-simple" in box.classes,
            )
        )
    assert found == [
        ("div", "note", "Note", "Note body.", False, False),
        ("div", "tip", "Tip by attribute", "Tip body.", False, False),
        ("details", "warning", "Closed warning", "Warning body.", False, False),
        ("details", "important", "Open important", "Important body.", True, False),
        ("div", "caution", None, "Caution body, no title.", False, True),
        ("div", "note", "Minimal note", "Minimal body.", False, True),
        ("div", "tip", "Run make first", "Formatted-title body.", False, False),
    ]
    formatted = _callouts(book)[-1].find("div", cls="callout-title")
    assert formatted.find("code").text() == "make" and formatted.find("em").text() == "first"
    summaries = [box.find("summary") for box in _callouts(book) if box.tag == "details"]
    assert [s.attrs["class"] for s in summaries] == ["callout-header", "callout-header"]
    spoken = [s.find("span", cls="screen-reader-only").text() for s in summaries]
    assert spoken == ["Warning", "Important"]  # the kind, beside the custom title


def test_callouts_in_pdf(pdf: str):
    for expected in (
        "Note Note body.",
        "Tip by attribute Tip body.",
        "Closed warning Warning body.",  # paper cannot collapse: shown open
        "Open important Important body.",
        "Caution body, no title.",
        "Minimal note Minimal body.",
        "Run make first Formatted-title body.",
    ):
        assert expected in pdf, expected
    assert "Caution Caution body" not in pdf  # simple: no default title


def test_unknown_callout_kind_is_refused(tmp_path: Path):
    fails(
        "# One\n\ntext\n\n::: {.callout-danger}\nx\n:::\n",
        tmp_path,
        "one.qmd:5",
        "unknown callout kind '.callout-danger'",
        ".callout-warning",
    )


def test_bad_callout_appearance_is_refused(tmp_path: Path):
    fails(
        '# One\n\n::: {.callout-note appearance="fancy"}\nx\n:::\n',
        tmp_path,
        "one.qmd:3",
        'appearance="fancy" is not a valid value',
        '"simple"',
    )


# ---- margin content -------------------------------------------------------------------------


def test_margin_content_in_html(book: Path):
    main = page(book, "one.html").find("main")
    note = main.find("aside", cls="margin-note")
    assert note.text().strip() == "A margin note."
    aside = main.find("span", cls="margin-aside")
    assert aside.text() == "an aside remark" and aside.attrs["role"] == "note"
    # moved out of its paragraph into Quarto's margin container after it
    assert aside.parent.tag == "div"
    assert aside.parent.attrs["class"] == "no-row-height column-margin column-container"
    text = (book / "_book" / "one.html").read_text("utf-8")
    assert '<p>A sentence with inside.</p>\n<div class="no-row-height column-margin' in text
    assert text.count("column-margin") == 1  # the margin div's own class is not written
    css = (book / "_book" / "assets" / "book.css").read_text("utf-8")
    assert ".margin-note, .margin-aside { float: right;" in css


def test_margin_content_in_pdf(pdf: str):
    assert "Main-text paragraph. A margin note. A sentence with" in pdf
    # the inline aside is a footnote on paper: its mark in the text, its words at the foot
    assert "A sentence with1 inside." in pdf
    assert "1an aside remark" in pdf  # pdftotext sets the superscript mark flush


def test_other_page_columns_are_body_wide_with_a_warning(tmp_path: Path):
    root = make_book(tmp_path / "wide", "# One\n\n::: {.column-page}\nwide\n:::\n")
    result = run_process(root, "build", "--to", "html")
    assert result.code == 0, result.err
    assert "warning: one.qmd:3: .column-page is shown at the body's width" in result.err
    div = page(root, "one.html").find("div", cls="column-page")  # Quarto's class kept
    assert div.text().strip() == "wide"


def test_layout_div_in_both_editions(book: Path, pdf: str):
    row = page(book, "one.html").find("div", cls="layout-row")
    assert row.attrs["style"] == "grid-template-columns: 1fr 1fr"
    assert [p.text() for p in row.find_all("p")] == ["Left-column cell.", "Right-column cell."]
    assert "Left-column cell." in pdf and "Right-column cell." in pdf
    layout = subprocess.run(
        ["pdftotext", "-layout", str(book / "_book" / "thesis.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(text for text in layout.splitlines() if "Left-column cell." in text)
    assert "Right-column cell." in line  # side by side, one grid row


# ---- code blocks with a file name -----------------------------------------------------------


def test_code_filename_in_both_editions(book: Path, pdf: str):
    box = page(book, "one.html").find("div", cls="code-with-filename")
    assert box.find("div", cls="code-with-filename-file").text().strip() == "hello.py"
    assert 'print("named file")' in box.find("pre").text()
    assert 'filename="hello.py"' not in (book / "_book" / "one.html").read_text("utf-8")
    assert 'hello.py print("named file")' in pdf


def test_margin_caption_is_ignored_with_a_warning(tmp_path: Path):
    chapter = '# One\n\ntext\n\n```{#lst-a .python lst-cap="Cap" .margin-caption}\nx\n```\n'
    root = make_book(tmp_path / "warn", chapter)
    result = run_process(root, "build", "--to", "html")
    assert result.code == 0, result.err
    assert "warning: one.qmd:5: .margin-caption is ignored" in result.err
