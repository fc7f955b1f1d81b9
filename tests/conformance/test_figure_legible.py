"""A figure's text stays legible on a phone (issue #14): an SVG figure a cell draws is shown no
narrower than the width at which its smallest text is 9 CSS px (an inline `min-width` on the
image; its zoom link scrolls sideways in a narrower column). Images without text, and the PDF,
are left as they were."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bookbuild_helpers import pdf_text, run_process
from bs4 import BeautifulSoup

from bookbuild.execute.weave import legible_width

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200" viewBox="0 0 400 200">'
    '<text x="10" y="20" style="font-size: 6px">Smallest label</text>'
    '<text x="10" y="60" style="font-size: 12px">Larger title</text></svg>'
)
CHAPTER = f"""# Figures

```{{python}}
#| label: fig-tiny
#| fig-cap: "A figure with small text"
#| fig-alt: "Two words of text"
#| echo: false
from IPython.display import SVG
SVG('{SVG}')
```

@fig-tiny has small text.

![A picture without text](dot.svg){{#fig-dot}}
"""

pytestmark = [
    pytest.mark.slow,  # builds a book with a kernel
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils needed"),
]


def test_legible_width_is_9_px_text_over_the_viewbox() -> None:
    assert legible_width(SVG.encode()) == 600  # 9 px x 400 / 6
    assert legible_width(b'<svg viewBox="0 0 100 50"><text font-size="10">x</text></svg>') == 90
    assert legible_width(b'<svg viewBox="0 0 100 50"><rect width="9"/></svg>') is None
    assert legible_width(b'<svg width="100"><text style="font-size: 5px">x</text></svg>') is None


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("legible") / "book"
    root.mkdir()
    (root / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: Legible\n  chapters:\n    - index.qmd\n"
        "    - figures.qmd\nformat:\n  html: {}\n  typst: {}\n",
        "utf-8",
    )
    (root / "index.qmd").write_text("# Preface {.unnumbered}\n\nA book of figures.\n", "utf-8")
    (root / "figures.qmd").write_text(CHAPTER, "utf-8")
    (root / "dot.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="5"/></svg>',
        "utf-8",
    )
    proc = run_process(root, "build", timeout=600)
    assert proc.code == 0, proc.err
    return root / "_book"


def test_an_svg_figure_with_text_has_its_legible_width_as_min_width(book: Path) -> None:
    page = BeautifulSoup((book / "figures.html").read_text("utf-8"), "html.parser")
    image = page.select_one("#fig-tiny figure a.figure-zoom > img")
    assert image is not None and image["src"] == "figures/fig-tiny.svg"
    assert image["style"] == "min-width: calc(600px + 1rem + 2px)"
    assert image.parent["href"] == "figures/fig-tiny.svg"  # still opens full size
    dot = page.select_one("#fig-dot figure a.figure-zoom > img")
    assert dot is not None and not dot.has_attr("style")
    assert "legible-width" not in str(page)


def test_the_pdf_shows_the_figure_without_the_attribute(book: Path) -> None:
    text = pdf_text(book / "thesis.pdf")
    assert "Figure 1.1: A figure with small text" in text
    assert "legible" not in text
