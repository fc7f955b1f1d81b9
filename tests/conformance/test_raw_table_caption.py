"""A `tbl-` float around a raw HTML table takes the table's own `<caption>` as its caption, as
Quarto does (its smoke test `crossrefs/float/html/rawtablecaption.qmd`), shown once."""

from __future__ import annotations

from pathlib import Path

from bookbuild_helpers import bookbuild_process, pdf_text
from bs4 import BeautifulSoup

CHAPTER = """# Raw tables

::: {#tbl-raw}

```{=html}
<table>
  <caption>Counts by <b>group</b> &amp; year</caption>
  <thead><tr><th>group</th><th>n</th></tr></thead>
  <tbody><tr><td>a</td><td>1</td></tr></tbody>
</table>
```

:::

See @tbl-raw.
"""


def test_a_raw_html_tables_caption_is_the_floats_caption(tmp_path: Path) -> None:
    (tmp_path / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: Raw\n  chapters: [raw.qmd]\n", "utf-8"
    )
    (tmp_path / "raw.qmd").write_text(CHAPTER, "utf-8")
    proc = bookbuild_process(tmp_path, "build", "--to", "html")
    assert proc.returncode == 0, proc.stderr
    soup = BeautifulSoup((tmp_path / "_book" / "raw.html").read_text("utf-8"), "html.parser")
    float_ = soup.select_one("div#tbl-raw.quarto-float")
    assert float_ is not None
    caption = float_.select_one("figcaption.quarto-float-caption")
    assert " ".join(caption.get_text().split()) == "Table 1.1: Counts by group & year"
    assert float_.find("caption") is None  # moved, not shown twice
    assert [td.get_text() for td in float_.select("tbody td")] == ["a", "1"]
    assert soup.select_one('a[href="#tbl-raw"]').get_text() == "Table\u00a01.1"


def test_raw_html_tables_are_tables_in_the_pdf(tmp_path: Path) -> None:
    """Quarto (1.3 and later) reads a raw HTML table as a table in every format, so the PDF
    shows it: in a `tbl-` float with the float's number and the table's caption, and alone,
    with its own caption; one marked `data-quarto-disable-processing` stays raw HTML."""
    chapter = CHAPTER + (
        '\nA loose one:\n\n```{=html}\n<table data-quarto-disable-processing="false">'
        "<caption>Loose caption</caption>"
        "<tr><td>lemon</td><td>lime</td></tr></table>\n```\n\n"
        '```{=html}\n<table data-quarto-disable-processing="true"><tr><td>hidden'
        "</td></tr></table>\n```\n"
    )
    (tmp_path / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: Raw\n  chapters: [raw.qmd]\n", "utf-8"
    )
    (tmp_path / "raw.qmd").write_text(chapter, "utf-8")
    proc = bookbuild_process(tmp_path, "build", "--to", "pdf")
    assert proc.returncode == 0, proc.stderr
    text = pdf_text(tmp_path / "_book" / "thesis.pdf")
    body = text[text.index("Raw tables", text.index("Contents") + 30) :]
    assert body.count("Table 1.1: Counts by group & year") == 1
    assert "group n a 1" in body and "See Table 1.1" in body
    assert "Loose caption lemon" in body and "lime" in body
    assert "hidden" not in body
