"""Local images and `project: resources:`: a small book with PNG, JPEG and SVG images in
several folders, built once in a tmp dir; the edition must hold each file at its path under
the project, the HTML must point at it and the PDF must embed it. Each error case breaks one
thing and checks the message names the file and line.
"""

from __future__ import annotations

import io
import logging
import re
import struct
import zlib
from pathlib import Path

import pytest
from bookbuild_helpers import pdf_images, pdf_text, run

pytestmark = pytest.mark.slow

CONFIG = """\
project:
  type: book
  resources:
    - data-files/*.csv
book:
  title: "Image Book"
  chapters:
    - index.qmd
    - chapters/one.qmd
"""
INDEX = """\
# Preface {.unnumbered}

The project logo ![the project logo](/shared/logo.svg) sits in the text.
"""
ONE = """\
# One {#sec-one}

See @fig-map for the county.

![A map of the county](img/map.png){#fig-map fig-alt="A red rectangle standing in for a map"}

![A photograph](<img/field photo.jpg>){#fig-photo fig-alt="A green rectangle"}

Not an image: `![code](img/nothing.png)`, nor is [a link](img/map.png).

An HTML image <img src="img/small.png" alt="A small square"> and a reference one
![a blue square][blue].

Without an extension, Quarto's default one: ![the map once more](img/map).

A decorative rule, with spaces in its name and no alt text, as Quarto allows:
![](img/thin rule.png)

[blue]: img/blue.png
[docs]: notes/missing-page.html

{{< include parts/_more.qmd >}}
"""
MORE = """\
An included image resolves from the chapter's folder, as in Quarto:

![A second map](img/map.png){#fig-again fig-alt="The red rectangle again"}
"""
LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
    '<rect width="40" height="20" fill="navy"/>'
    '<text x="2" y="14" font-size="10" fill="white">LOGO</text></svg>'
)


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A solid-colour PNG, written by hand."""
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def jpeg(width: int, height: int) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (0, 120, 0)).save(buffer, "JPEG")
    return buffer.getvalue()


def write_book(root: Path) -> Path:
    for folder in ("chapters/img", "chapters/parts", "shared", "data-files"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "_quarto.yml").write_text(CONFIG)
    (root / "index.qmd").write_text(INDEX)
    (root / "chapters" / "one.qmd").write_text(ONE)
    (root / "chapters" / "parts" / "_more.qmd").write_text(MORE)
    (root / "chapters" / "img" / "map.png").write_bytes(png(8, 6, (200, 30, 30)))
    (root / "chapters" / "img" / "small.png").write_bytes(png(2, 2, (0, 0, 0)))
    (root / "chapters" / "img" / "blue.png").write_bytes(png(4, 4, (0, 0, 255)))
    (root / "chapters" / "img" / "field photo.jpg").write_bytes(jpeg(10, 8))
    (root / "chapters" / "img" / "thin rule.png").write_bytes(png(12, 1, (90, 90, 90)))
    (root / "shared" / "logo.svg").write_text(LOGO)
    (root / "data-files" / "table.csv").write_text("a,b\n1,2\n")
    (root / "data-files" / "notes.txt").write_text("not a resource\n")
    return root


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_book(tmp_path_factory.mktemp("resources") / "book")
    warnings = io.StringIO()
    handler = logging.StreamHandler(warnings)
    logging.getLogger("bookbuild").addHandler(handler)
    try:
        result = run(root, "build")
    finally:
        logging.getLogger("bookbuild").removeHandler(handler)
    assert result.code == 0, result.err
    assert (
        "one.qmd:17: image 'img/thin rule.png' has no alt text: the PDF marks it decorative"
    ) in warnings.getvalue()
    return root


def test_images_and_resources_are_copied_at_their_project_paths(book: Path) -> None:
    out = book / "_book"
    for relative in (
        "chapters/img/map.png",
        "chapters/img/field photo.jpg",
        "chapters/img/thin rule.png",
        "shared/logo.svg",
        "data-files/table.csv",
        "chapters/img/small.png",
        "chapters/img/blue.png",
    ):
        assert (out / relative).read_bytes() == (book / relative).read_bytes(), relative
    assert not (out / "data-files" / "notes.txt").exists()
    assert not (out / "chapters" / "img" / "nothing.png").exists()


def test_html_points_at_the_copies(book: Path) -> None:
    one = (book / "_book" / "one.html").read_text("utf-8")
    images = re.findall(r'<img src="([^"]+)"(?: class="[^"]*")? alt="([^"]*)"', one)
    assert images == [
        ("chapters/img/map.png", "A red rectangle standing in for a map"),
        ("chapters/img/field%20photo.jpg", "A green rectangle"),
        ("chapters/img/small.png", "A small square"),
        ("chapters/img/blue.png", "a blue square"),
        ("chapters/img/map.png", "the map once more"),
        ("chapters/img/map.png", "The red rectangle again"),
    ]
    assert '<a href="img/map.png">a link</a>' in one  # links are not images: left alone
    assert '<img src="chapters/img/thin%20rule.png" />' in one  # a URL, as Pandoc writes it
    index = (book / "_book" / "index.html").read_text("utf-8")
    assert '<img src="shared/logo.svg" alt="the project logo" />' in index
    assert re.search(
        r'<div id="fig-map" class="quarto-float[^"]*">\s*<figure class="[^"]*">\s*'
        r'<a href="chapters/img/map.png" class="figure-zoom"><img src="chapters/img/map.png"',
        one,
    )  # the image opens full size
    assert re.search(r"Figure\s1\.1: A map of the county", one)


def test_pdf_embeds_every_image(book: Path) -> None:
    pdf = book / "_book" / "thesis.pdf"
    sizes = sorted((int(row[3]), int(row[4]), row[8]) for row in pdf_images(pdf))
    # the map three times, the photo, the reference image and the decorative rule (a PDF/UA
    # artifact); raw HTML is not part of the PDF
    assert sizes == [
        (4, 4, "image"),
        (8, 6, "image"),
        (8, 6, "image"),
        (8, 6, "image"),
        (10, 8, "jpeg"),
        (12, 1, "image"),
    ]
    text = pdf_text(pdf)
    assert "The project logo LOGO sits in the text." in text  # the SVG, as vector text
    assert re.search(r"Figure\s1\.1: A map of the county", text)
    assert re.search(r"See Figure\s1\.1 for the county\.", text)


def test_changed_image_is_republished(tmp_path: Path) -> None:
    root = write_book(tmp_path / "book")
    assert run(root, "build", "--to", "html").code == 0
    (root / "chapters" / "img" / "map.png").write_bytes(png(3, 3, (0, 0, 255)))
    result = run(root, "build", "--to", "html")
    assert result.code == 0, result.err
    assert (root / "_book" / "chapters" / "img" / "map.png").read_bytes() == png(3, 3, (0, 0, 255))


ERRORS = [
    (
        "chapters/one.qmd",
        "# One\n\nText.\n\n![Gone](img/missing.png)\n",
        "chapters/one.qmd:5: image not found: chapters/img/missing.png",
    ),
    (
        "chapters/one.qmd",
        "# One\n\n![Away](../../outside.png)\n",
        "chapters/one.qmd:3: image '../../outside.png' is outside the project",
    ),
    (
        "chapters/one.qmd",
        "# One\n\n![Doc](img/plan.tiff)\n",
        "chapters/one.qmd:3: image 'img/plan.tiff' is a .tiff file: use a PNG, JPEG, GIF or SVG",
    ),
    (
        "chapters/one.qmd",
        "# One\n\n![Plan](img/plan.pdf)\n",
        "chapters/one.qmd:3: image 'img/plan.pdf' is a .pdf file (the PDF edition, PDF/A and "
        "PDF/UA, cannot embed a PDF",
    ),
    (
        "chapters/one.qmd",
        "# One\n\n![Plan](img/plan)\n",
        "chapters/one.qmd:3: image 'img/plan' has no file extension and chapters/img/plan.png "
        "(Quarto's default-image-extension) is not there: use a PNG, JPEG, GIF or SVG",
    ),
    (
        "chapters/one.qmd",
        "# One\n\nSee <img src='img/gone.png' alt='x'>.\n",
        "chapters/one.qmd:3: image not found: chapters/img/gone.png",
    ),
    (
        "chapters/one.qmd",
        "# One\n\nText.\n\n![Gone][g]\n\n[g]: img/gone.png\n",
        "chapters/one.qmd:7: image not found: chapters/img/gone.png",
    ),  # where the path is
    (
        "_quarto.yml",
        CONFIG.replace("data-files/*.csv", "data-files/*.xlsx"),
        "_quarto.yml:4: project: resources: 'data-files/*.xlsx' matches no file",
    ),
]


@pytest.mark.parametrize(
    ("file", "text", "message"),
    ERRORS,
    ids=[
        "missing",
        "outside",
        "format",
        "pdf",
        "no-extension",
        "html-img",
        "reference",
        "resources",
    ],
)
def test_errors_name_the_file_and_line(tmp_path: Path, file: str, text: str, message: str) -> None:
    root = write_book(tmp_path / "book")
    (root / file).write_text(text)
    result = run(root, "build", "--to", "html")
    assert result.code == 1
    assert message in result.err, result.err
    assert "Traceback" not in result.err


def test_resource_at_the_path_of_a_built_file_is_an_error(tmp_path: Path) -> None:
    root = write_book(tmp_path / "book")
    (root / "assets").mkdir()
    (root / "assets" / "book.css").write_text("p { color: red }\n")
    (root / "_quarto.yml").write_text(
        CONFIG.replace("    - data-files/*.csv", "    - data-files/*.csv\n    - assets/*")
    )
    result = run(root, "build", "--to", "html")
    assert result.code == 1
    assert (
        "assets/book.css: 'assets/book.css' has the path of a file the build writes into "
        "the edition; move or rename it"
    ) in result.err, result.err


def test_image_path_from_a_variable_and_excluded_resources(tmp_path: Path) -> None:
    root = write_book(tmp_path / "book")
    (root / "_variables.yml").write_text("logo: /shared/logo.svg\n")
    (root / "index.qmd").write_text("# P {.unnumbered}\n\nLogo ![the logo]({{< var logo >}}).\n")
    (root / "data-files" / "secret.csv").write_text("x\n")
    (root / "_quarto.yml").write_text(
        CONFIG.replace(
            "    - data-files/*.csv", "    - data-files/*.csv\n    - '!data-files/secret.csv'"
        )
    )
    result = run(root, "build", "--to", "html")
    assert result.code == 0, result.err
    index = (root / "_book" / "index.html").read_text("utf-8")
    assert '<img src="shared/logo.svg" alt="the logo" />' in index
    assert (root / "_book" / "shared" / "logo.svg").read_text() == LOGO
    assert (root / "_book" / "data-files" / "table.csv").exists()
    assert not (root / "_book" / "data-files" / "secret.csv").exists()


def test_missing_image_in_an_included_file_names_its_line(tmp_path: Path) -> None:
    root = write_book(tmp_path / "book")
    (root / "chapters" / "parts" / "_more.qmd").write_text("Intro.\n\n![Gone](img/gone.svg)\n")
    result = run(root, "build", "--to", "html")
    assert result.code == 1
    assert "chapters/parts/_more.qmd:3: image not found: chapters/img/gone.svg" in result.err
