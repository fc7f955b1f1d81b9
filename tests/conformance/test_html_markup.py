"""Quarto's HTML markup for tables, tabsets and margin content (its smoke tests
`2023/01/23/table-options.qmd`, `2024/05/21/9734-c.qmd`, `2025/01/08/7260.qmd` and
`2023/03/03/article-layout/tabs-callouts-3280.qmd`), built once as a small HTML book."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import pytest
from bookbuild_helpers import bookbuild_process
from bs4 import BeautifulSoup

from bookbuild.document.ast import Str
from bookbuild.writers.pdf import table_column_widths

TABLES = """# Tables

| Default | Left | Right | Center |
|---------|:-----|------:|:------:|
| 12      | 12   |    12 |   12   |
| 123     | 123  |   123 |  123   |

: A labelled table {#tbl-id .unknown .striped .hover .sm tbl-colwidths="[15, 15, 35, 35]"}

| Col1 | Col2 |
|------|------|
| A    | B    |

: An unlabelled table {.bordered tbl-colwidths="[40,60]"}

| Bare | Table |
|------|-------|
| C    | D     |

| Wide | Table |
|------|-------|
| E    | F     |

: {.striped .responsive-md}

See @tbl-id.
"""
TABSETS = """# Tabsets

::: {.panel-tabset}

### One

First set, tab one.

### Two

First set, tab two.

:::

::: {.panel-tabset}

### Tab A

Content for Tab A

### Tab B {.active}

Content for Tab B

:::
"""
# a 1x1 grey PNG
SMALL_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGM4AQAAygDJmcpdfgAAAABJRU5ErkJggg=="
)
MARGINS = """# Margins

::: {.panel-tabset}

### Subheader 1

::: {.column-margin}
Margin Text 1
:::

### Subheader 2

::: {.column-margin}
Margin Text 2
:::

::: {.column-margin}
Margin Text 3
:::

:::

:::{.callout-note collapse=true}

## hi

This is a callout

:::{.column-margin}
This is margin content
:::

:::
"""
CELLS = """# Cells

```{python}
#| label: tbl-frame
#| tbl-cap: A frame
#| tbl-colwidths: [30, 70]
import pandas as pd
pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
```

```{python}
#| tbl-colwidths: [20, 80]
pd.DataFrame({"c": [1], "d": ["z"]})
```
"""
FIGURES = """# Figures

::: {#scaffold}

![An image with a border](dot.png){.border fig-alt="A grey square."}

:::

![A labelled image](dot.png){#fig-one .border}

::: {#fig-two .border .wide}

![](dot.png){fig-alt="A grey square."}

A figure div with a border.

:::

See @fig-one and @fig-two.

[![A linked square](dot.png)](https://example.org/square)

Text with a [![small](dot.png)](https://example.org/inline) linked image inside.
"""


def _build(root: Path, chapters: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    names = ", ".join(chapters)
    (root / "_quarto.yml").write_text(
        f"project:\n  type: book\nbook:\n  title: Markup\n  chapters: [{names}]\n", "utf-8"
    )
    for name, text in chapters.items():
        (root / name).write_text(text, "utf-8")
    (root / "dot.png").write_bytes(SMALL_PNG)
    return bookbuild_process(root, "build", "--to", "html", *args)


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("markup")
    proc = _build(
        root,
        {
            "tables.qmd": TABLES,
            "tabsets.qmd": TABSETS,
            "margins.qmd": MARGINS,
            "cells.qmd": CELLS,
            "figures.qmd": FIGURES,
        },
    )
    assert proc.returncode == 0, proc.stderr
    return root / "_book"


def _soup(book: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((book / name).read_text("utf-8"), "html.parser")


def test_caption_classes_become_bootstraps_on_the_table(book: Path) -> None:
    table = _soup(book, "tables.html").select_one("#tbl-id table")
    classes = table["class"]
    assert {"table", "table-striped", "table-hover", "table-sm", "unknown"} <= set(classes)
    assert not {"striped", "hover", "sm", "table-unknown"} & set(classes)
    assert not table.has_attr("data-tbl-colwidths")


def test_every_table_is_a_bootstrap_table(book: Path) -> None:
    tables = _soup(book, "tables.html").select("main table")
    assert len(tables) == 4
    assert all("table" in t["class"] for t in tables)
    assert "table-bordered" in tables[1]["class"]


def test_a_responsive_table_is_in_a_table_responsive_div(book: Path) -> None:
    table = _soup(book, "tables.html").select_one("div.table-responsive-md table")
    assert table["class"] == ["table", "table-striped"]  # the class went to the div
    assert table.find("td").get_text() == "E"


def test_tbl_colwidths_become_the_colgroup(book: Path) -> None:
    soup = _soup(book, "tables.html")
    widths = [c["style"] for c in soup.select("#tbl-id table > colgroup > col")]
    assert widths == ["width: 15%", "width: 15%", "width: 35%", "width: 35%"]
    unlabelled = soup.select("main table")[1]
    assert [c["style"] for c in unlabelled.select("colgroup > col")] == [
        "width: 40%",
        "width: 60%",
    ]


def test_the_pdf_keeps_given_widths() -> None:
    cell = [["", [], []], {"t": "AlignDefault"}, 1, 1, [{"t": "Plain", "c": [Str("x" * 80)]}]]
    table = {
        "t": "Table",
        "c": [
            ["", [], [["tbl-colwidths", "[30,70]"]]],
            [None, []],
            [[{"t": "AlignDefault"}, {"t": "ColWidth", "c": w}] for w in (0.3, 0.7)],
            [["", [], []], []],
            [[["", [], []], 0, [], [[["", [], []], [cell, cell]]]]],
            [["", [], []], []],
        ],
    }
    table_column_widths([table])
    assert [spec[1] for spec in table["c"][2]] == [
        {"t": "ColWidth", "c": 0.3},
        {"t": "ColWidth", "c": 0.7},
    ]


def test_wrong_colwidths_stop_the_build(tmp_path: Path) -> None:
    chapter = '# T\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\n: Cap {tbl-colwidths="[30,70,5]"}\n'
    proc = _build(tmp_path, {"t.qmd": chapter})
    assert proc.returncode != 0
    assert "t.qmd:7: table tbl-colwidths='[30,70,5]': give 2 positive numbers" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_captioned_table_is_caption_top(book: Path) -> None:
    tables = _soup(book, "tables.html").select("main table")
    assert ["caption-top" in t["class"] for t in tables] == [True, True, False, False]
    assert tables[1].caption.get_text() == "An unlabelled table"


def test_tab_panes_take_quartos_ids_and_active_tab(book: Path) -> None:
    soup = _soup(book, "tabsets.html")
    panes = [p["id"] for p in soup.select(".panel-tabset .tab-pane")]
    assert panes == ["tabset-1-1", "tabset-1-2", "tabset-2-1", "tabset-2-2"]
    assert [p["id"] for p in soup.select(".tab-pane.active")] == ["tabset-1-1", "tabset-2-2"]
    assert [b["id"] for b in soup.select(".nav-link.active")] == [
        "tabset-1-1-tab",
        "tabset-2-2-tab",
    ]
    assert soup.select_one("#tabset-2-1").has_attr("hidden")
    assert not soup.select_one("#tabset-2-2").has_attr("hidden")
    assert soup.select_one("#tabset-2-2").get_text(strip=True) == "Content for Tab B"


def test_margin_content_of_tabs_and_collapsed_callouts_sits_beside_them(book: Path) -> None:
    soup = _soup(book, "margins.html")
    contents = soup.select(".tabset-margin-container .tabset-margin-content")
    assert [c.get("id") for c in contents] == [
        "tabset-1-1-margin-content",
        "tabset-1-2-margin-content",
        None,
    ]
    assert [c.has_attr("hidden") for c in contents] == [False, True, True]
    assert [c.get_text(" ", strip=True) for c in contents] == [
        "Margin Text 1",
        "Margin Text 2 Margin Text 3",
        "This is margin content",
    ]
    assert "collapse" in contents[2]["class"]
    assert soup.select(".column-container .callout-collapse")
    assert not soup.select(".tab-pane .margin-note, details .margin-note")  # moved out
    container = soup.select_one(".column-container")
    assert container.select_one("details.callout").find_previous_sibling(
        class_="tabset-margin-container"
    )


def test_a_chapters_front_matter_moves_its_own_table_captions(tmp_path: Path) -> None:
    table = "| Col1 | Col2 |\n|------|------|\n| A{n}   | B{n}   |\n\n: Caption {n}\n"
    below = "---\ntbl-cap-location: bottom\n---\n\n# Below\n\n" + table.format(n=1)
    above = "# Above\n\n" + table.format(n=2)
    (tmp_path / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: Places\n  chapters: [below.qmd, above.qmd]\n",
        "utf-8",
    )
    (tmp_path / "below.qmd").write_text(below, "utf-8")
    (tmp_path / "above.qmd").write_text(above, "utf-8")
    proc = bookbuild_process(tmp_path, "build")
    assert proc.returncode == 0, proc.stderr
    assert "tbl-cap-location" not in proc.stderr  # honoured, not warned about
    book = tmp_path / "_book"
    assert _soup(book, "below.html").select_one("main table")["class"][0] == "caption-bottom"
    assert _soup(book, "above.html").select_one("main table")["class"][0] == "caption-top"
    text = subprocess.run(
        ["pdftotext", str(book / "thesis.pdf"), "-"], capture_output=True, text=True
    ).stdout
    body = " ".join(text[text.index("CHAPTER 1") :].split())
    assert body.index("A1") < body.index("Caption 1")  # below its table in chapter 1
    assert body.index("Caption 2") < body.index("A2")  # above in chapter 2, as the book's


RAW = """---
title: Raw
---

```{=html}
<table class="unknown striped hover"><tbody><tr><td>processed</td></tr></tbody></table>
```

::: {html-table-processing="none"}

```{=html}
<table class="striped"><tbody><tr><td>as written</td></tr></tbody></table>
```

:::
"""


def test_raw_html_tables_get_quartos_classes_unless_processing_is_none(tmp_path: Path) -> None:
    plain = "---\ntitle: Plain\nhtml-table-processing: none\n---\n\n" + RAW.split("---\n", 2)[2]
    proc = _build(tmp_path, {"raw.qmd": RAW, "plain.qmd": plain})
    assert proc.returncode == 0, proc.stderr
    raw = _soup(tmp_path / "_book", "raw.html").select("main table")
    assert raw[0]["class"] == ["table", "unknown", "table-striped", "table-hover"]
    assert raw[1]["class"] == ["striped"]  # the div's html-table-processing="none"
    assert not _soup(tmp_path / "_book", "raw.html").select("[data-html-table-processing]")
    plain_tables = _soup(tmp_path / "_book", "plain.html").select("main table")
    assert [t["class"] for t in plain_tables] == [["unknown", "striped", "hover"], ["striped"]]


def test_a_cells_tbl_colwidths_sizes_its_dataframe(book: Path) -> None:
    soup = _soup(book, "cells.html")
    labelled = [c["style"] for c in soup.select("#tbl-frame table > colgroup > col")]
    assert labelled == ["width: 30%", "width: 70%"]
    tables = soup.select("main table")
    assert [c["style"] for c in tables[1].select("colgroup > col")] == ["width: 20%", "width: 80%"]
    assert tables[0]["class"] == ["caption-top", "table"] and tables[1]["class"] == ["table"]


def test_tbl_colwidths_on_a_cell_without_a_table_stops_the_build(tmp_path: Path) -> None:
    chapter = "# T\n\n```{python}\n#| tbl-colwidths: [50, 50]\nprint('no table')\n```\n"
    proc = _build(tmp_path, {"t.qmd": chapter})
    assert proc.returncode != 0
    assert "t.qmd:3: cell option 'tbl-colwidths' sets the widths of a table" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_tbl_colwidths_true_on_a_cell_is_refused(tmp_path: Path) -> None:
    chapter = "# T\n\n```{python}\n#| tbl-colwidths: true\n1\n```\n"
    proc = _build(tmp_path, {"t.qmd": chapter})
    assert proc.returncode != 0
    assert "t.qmd:4: cell option 'tbl-colwidths' must be one of: a list; got True" in proc.stderr


def test_a_figure_divs_classes_go_on_its_float_div_an_images_on_the_image(book: Path) -> None:
    """As Quarto (its smoke test 2024/01/05/issue-8000.qmd): `::: {#fig-two .border}` is
    `div#fig-two.border`; an image's `.border`, labelled or not, stays on the `<img>`."""
    soup = _soup(book, "figures.html")
    two = soup.select_one("div#fig-two")
    assert {"quarto-float", "quarto-figure", "border", "wide"} <= set(two["class"])
    assert "border" not in two.select_one("figure")["class"]
    assert soup.select_one("div#fig-one")["class"].count("border") == 0
    assert "border" in soup.select_one("div#fig-one img")["class"]
    assert not soup.select("#scaffold div.border")
    assert "border" in soup.select_one("#scaffold img")["class"]


def test_a_linked_image_alone_in_its_paragraph_is_a_figure(book: Path) -> None:
    """As Quarto (its smoke test 2023/11/27/7704.qmd): `[![A linked square](dot.png)](url)`
    is an unnumbered figure of the linked image, captioned with its alt text; a linked image
    among other text stays inline."""
    soup = _soup(book, "figures.html")
    (figure,) = [
        f
        for f in soup.select("div.quarto-figure figure.figure")
        if f.select_one('a[href^="https://"] img')
    ]
    link = figure.select_one("a")
    assert link["href"] == "https://example.org/square"
    assert link.select_one("img")["alt"] == "A linked square"
    assert figure.select_one("figcaption").get_text(strip=True) == "A linked square"
    inline = soup.find("a", href="https://example.org/inline")
    assert inline.find_parent("p") is not None and inline.find_parent("figure") is None
