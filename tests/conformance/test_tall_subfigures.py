"""A figure cannot break across pages: subfigures whose rows are taller than the page are set
narrower, their layout kept, so that every image and the caption are printed (Typst would
cut them off at the page's foot)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from bookbuild_helpers import bookbuild_process, pdf_images, pdf_text
from PIL import Image

from bookbuild.config.layout import BOOK

CHAPTER = """# Tall

::: {#fig-tall layout-nrow=2}

![A first tall panel](tall.png){#fig-one}

![A second tall panel](tall.png){#fig-two}

Two panels, one above the other.
:::

See @fig-two.
"""


def test_rows_taller_than_the_page_are_narrowed_to_fit(tmp_path: Path) -> None:
    (tmp_path / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: Tall\n  chapters: [index.qmd]\n", "utf-8"
    )
    (tmp_path / "index.qmd").write_text(CHAPTER, "utf-8")
    Image.new("RGB", (400, 600), (90, 120, 160)).save(tmp_path / "tall.png")
    proc = bookbuild_process(tmp_path, "build", "--to", "pdf")
    assert proc.returncode == 0, proc.stderr
    pdf = tmp_path / "_book" / "thesis.pdf"
    images = [row for row in pdf_images(pdf) if row[2] == "image"]
    assert len(images) == 2 and images[0][0] == images[1][0]  # both on one page
    # drawn height (pixels / ppi) of the two, in mm: within the page's text height, and
    # narrower than the text width they would fill at full size (3:2 tall, each)
    heights = [600 / float(row[13]) * 25.4 for row in images]
    widths = [400 / float(row[12]) * 25.4 for row in images]
    assert sum(heights) < BOOK.text_height_mm * 0.9
    assert all(w < BOOK.text_width_mm * 0.8 for w in widths)
    page = images[0][0]
    shown = subprocess.run(
        ["pdftotext", "-f", page, "-l", page, str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "(a)" in shown and "(b)" in shown
    assert "Figure 1.1: Two panels, one above the other." in " ".join(shown.split())
    assert "See Figure 1.1 (b)." in pdf_text(pdf)
