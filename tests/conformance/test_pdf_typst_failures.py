"""Constructs Typst failed on, with an error pointing into the generated thesis.typ (found by
the smoke runner's PDF judge): what the PDF can show is shown (an empty float), what it cannot
is refused at its source line with what to do (an image at a web address, a table too wide
for any page)."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

from bookbuild_helpers import bookbuild_process, pdf_text


def test_a_web_image_is_refused_in_the_pdf_at_its_line(tmp_path: Path) -> None:
    """Typst reads local files only: an image at a web address (which the HTML edition links,
    as Quarto's does) stops the PDF with its file and line, not a Typst error in thesis.typ."""
    (tmp_path / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: Web\n  chapters: [web.qmd]\n", "utf-8"
    )
    (tmp_path / "web.qmd").write_text(
        "# Web\n\nText.\n\n![A chart](https://example.org/chart.png)\n", "utf-8"
    )

    def build(fmt: str) -> subprocess.CompletedProcess[str]:
        return bookbuild_process(tmp_path, "build", "--to", fmt)

    assert build("html").returncode == 0
    proc = build("pdf")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    error = next(line for line in proc.stderr.splitlines() if line.startswith("error"))
    assert error.startswith("error: web.qmd:5: image 'https://example.org/chart.png' is a web")
    assert "thesis.typ" not in proc.stderr
    (tmp_path / "web.qmd").write_text(
        "# Web\n\nText.\n\n![A dot](data:image/png;base64,iVBORw0KGgo=)\n", "utf-8"
    )
    proc = build("pdf")
    error = next(line for line in proc.stderr.splitlines() if line.startswith("error"))
    assert error.startswith("error: web.qmd:5: image 'data:image/png;base64,")
    assert error.endswith("is a data: URI whose PNG data is not a readable image")


def test_a_table_too_wide_even_sideways_is_refused_in_the_pdf_at_its_line(tmp_path: Path) -> None:
    """A table whose columns' longest words do not fit a landscape page in the smallest type
    would be printed past the page's edge (words lost): the PDF stops at the table's line."""
    head = "| " + " | ".join(f"COLUMN_HEADING_NUMBER_{n}" for n in range(30)) + " |\n"
    rule = "|" + "---|" * 30 + "\n"
    row = "| " + " | ".join(str(n) for n in range(30)) + " |\n"
    (tmp_path / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: Wide\n  chapters: [wide.qmd]\n", "utf-8"
    )
    (tmp_path / "wide.qmd").write_text(f"# Wide\n\nText.\n\n{head}{rule}{row}", "utf-8")
    proc = bookbuild_process(tmp_path, "build", "--to", "pdf")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    error = next(line for line in proc.stderr.splitlines() if line.startswith("error"))
    assert error.startswith("error: wide.qmd:5: a table of 30 columns is too wide for the PDF")


def test_an_empty_float_shows_its_caption_in_the_pdf(tmp_path: Path) -> None:
    """`::: {#tbl-x}` with nothing in it: Quarto shows the caption alone; PDF/UA refused the
    empty figure ("missing alt text")."""
    (tmp_path / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: Empty\n  chapters: [empty.qmd]\n", "utf-8"
    )
    (tmp_path / "empty.qmd").write_text(
        "# Empty\n\n::: {#tbl-none}\n:::\n\nSee @tbl-none.\n", "utf-8"
    )
    proc = bookbuild_process(tmp_path, "build", "--to", "pdf")
    assert proc.returncode == 0, proc.stderr
    text = pdf_text(tmp_path / "_book" / "thesis.pdf")
    body = text[text.index("See Table 1.1") - 200 :]
    assert "Table 1.1:" in body and "See Table 1.1." in body


PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGM4AQAAygDJmcpdfgAAAABJRU5ErkJggg=="
)


def test_image_sizes_in_em_reach_the_pdf_and_a_bad_one_names_its_line(tmp_path: Path) -> None:
    """`{height="1em"}` (an icon in the text) is a Typst length as it is; a size Typst has no
    unit for is refused at the image's line."""
    (tmp_path / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: Icon\n  chapters: [icon.qmd]\n", "utf-8"
    )
    (tmp_path / "icon.png").write_bytes(PNG)
    chapter = tmp_path / "icon.qmd"
    chapter.write_text('# Icon\n\nPress ![menu](icon.png){height="1em"} to go on.\n', "utf-8")

    def build() -> subprocess.CompletedProcess[str]:
        return bookbuild_process(tmp_path, "build", "--to", "pdf")

    proc = build()
    assert proc.returncode == 0, proc.stderr
    assert "Press to go on." in pdf_text(tmp_path / "_book" / "thesis.pdf")
    chapter.write_text('# Icon\n\nText.\n\nPress ![menu](icon.png){height="1ex"}.\n', "utf-8")
    proc = build()
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    error = next(line for line in proc.stderr.splitlines() if line.startswith("error"))
    assert error.startswith("error: icon.qmd:5: image size '1ex' is not a length Typst")
