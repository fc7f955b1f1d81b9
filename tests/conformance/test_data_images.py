"""Images written inline as `data:` URIs, and Quarto's `placeholder` shortcode that makes them:
the HTML keeps the URI (as Quarto's does), the PDF sets the image from the URI's bytes, and a
URI the PDF cannot show is refused at its line."""

from __future__ import annotations

import base64
import io
import re
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest
from bookbuild_helpers import bookbuild_process, pdf_images, pdf_text
from PIL import Image

CONFIG = "project:\n  type: book\nbook:\n  title: Boxes\n  chapters: [index.qmd]\n"


def _png(width: int, height: int) -> str:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


CHAPTER = f"""# Boxes

A box in the text {{{{< placeholder 40 20 >}}}} and one alone:

{{{{< placeholder 200 >}}}}

![A red patch drawn by hand]({_png(37, 23)}){{#fig-patch}}

![A described box]({{{{< placeholder 300 150 format=png >}}}}){{width=50%}}

See @fig-patch.
"""


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("boxes")
    (root / "_quarto.yml").write_text(CONFIG, "utf-8")
    (root / "index.qmd").write_text(CHAPTER, "utf-8")
    proc = bookbuild_process(root, "build")
    assert proc.returncode == 0, proc.stderr
    return root


def _sources(html: str) -> list[str]:
    return re.findall(r'<img src="(data:[^"]+)"', html)


def test_html_keeps_each_image_as_its_data_uri(book: Path) -> None:
    sources = _sources((book / "_book" / "index.html").read_text("utf-8"))
    assert len(sources) == 4
    svgs = [
        ElementTree.fromstring(base64.b64decode(s.split(",", 1)[1]))
        for s in sources
        if s.startswith("data:image/svg+xml;base64,")
    ]
    sizes = [(svg.get("width"), svg.get("height")) for svg in svgs]
    assert sizes == [("40", "20"), ("200", "200")]
    labels = ["".join(svg.itertext()) for svg in svgs]
    assert labels == ["40 x 20", "200 x 200"]
    rasters = [
        Image.open(io.BytesIO(base64.b64decode(s.split(",", 1)[1])))
        for s in sources
        if s.startswith("data:image/png;base64,")
    ]
    assert sorted(r.size for r in rasters) == [(37, 23), (300, 150)]
    # nothing was written for them: the edition holds no image files but its own icon
    images = [p for p in (book / "_book").rglob("*") if p.suffix in (".png", ".svg")]
    assert [p.name for p in images] == ["favicon.svg"]


def test_pdf_sets_every_image_from_its_bytes(book: Path) -> None:
    pdf = book / "_book" / "thesis.pdf"
    rasters = sorted((int(row[3]), int(row[4])) for row in pdf_images(pdf) if row[2] == "image")
    assert rasters == [(37, 23), (300, 150)]
    text = pdf_text(pdf)
    # the SVG placeholders are drawn as vectors with their label as text
    assert "40 x 20" in text and "200 x 200" in text
    assert "Figure 1.1" in text and "A red patch drawn by hand" in text
    assert "data:image" not in text


@pytest.mark.parametrize(
    ("uri", "why"),
    [
        ("data:image/png;base64,iVBORw0KGgo=", "whose PNG data is not a readable image"),
        ("data:image/webp;base64,UklGRg==", "is a data: URI of image/webp: use PNG, JPEG"),
        ("data:image/svg+xml,%3Cp%3Enot%20svg%3C/p%3E", "whose SVG data is not a readable"),
    ],
)
def test_a_data_uri_the_pdf_cannot_show_is_refused_at_its_line(
    tmp_path: Path, uri: str, why: str
) -> None:
    (tmp_path / "_quarto.yml").write_text(CONFIG, "utf-8")
    (tmp_path / "index.qmd").write_text(f"# Bad\n\nText.\n\n![A thing]({uri})\n", "utf-8")
    proc: subprocess.CompletedProcess[str] = bookbuild_process(tmp_path, "build", "--to", "pdf")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    error = next(line for line in proc.stderr.splitlines() if line.startswith("error"))
    assert error.startswith(f"error: index.qmd:5: image '{uri[:40]}")
    assert why in error and "thesis.typ" not in error
