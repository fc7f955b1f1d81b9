"""The `{{< brand logo SIZE [light|dark] >}}` shortcode, as Quarto's smoke documents
`shortcodes/brand-logo-*.qmd` assert it: one `<img>` per colour scheme of the brand (the dark one
falling back to the light logo), or the one mode asked for; the PDF shows the light logo."""

from __future__ import annotations

import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from bookbuild_helpers import pdf_images, pdf_text, run_process
from bs4 import BeautifulSoup

BOTH = """---
brand:
  light:
    logo:
      images:
        sun:
          path: sun.png
          alt: the sun
      small: sun
  dark:
    logo:
      images:
        moon: {path: moon.png, alt: the moon}
      small: moon
---

# Logos

A logo: {{< brand logo small >}}

Dark only: {{< brand logo small dark >}}
"""


def _png(rgb: tuple[int, int, int]) -> bytes:
    """A 4x4 PNG of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes(rgb) * 4 for _ in range(4))
    header = struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _book(root: Path, chapter: str, brand_yml: str | None = None) -> Path:
    (root / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: Brand\n  chapters: [logos.qmd]\n", "utf-8"
    )
    (root / "logos.qmd").write_text(chapter, "utf-8")
    (root / "sun.png").write_bytes(_png((255, 200, 0)))
    (root / "moon.png").write_bytes(_png((20, 20, 80)))
    if brand_yml is not None:
        (root / "_brand.yml").write_text(brand_yml, "utf-8")
    return root


def _imgs(root: Path) -> list[tuple[str, str, str]]:
    soup = BeautifulSoup((root / "_book" / "logos.html").read_text("utf-8"), "html.parser")
    return [
        (img["src"], " ".join(img.get("class", [])), img.get("alt", ""))
        for img in soup.select("main img")
    ]


def test_a_light_and_a_dark_logo(tmp_path: Path) -> None:
    root = _book(tmp_path, BOTH)
    proc = run_process(root, "build", timeout=300)
    assert proc.code == 0, proc.err
    assert _imgs(root) == [
        ("./sun.png", "light-content img-fluid", "the sun"),
        ("./moon.png", "dark-content img-fluid", "the moon"),
        ("./moon.png", "img-fluid", "the moon"),
    ]
    assert (root / "_book" / "sun.png").is_file() and (root / "_book" / "moon.png").is_file()
    css = "".join(p.read_text("utf-8") for p in (root / "_book").rglob("book.css"))
    assert '[data-theme-now="dark"] .light-content' in css
    images = pdf_images(root / "_book" / "thesis.pdf")
    assert len(images) == 2  # the light logo, and the dark one asked for by name
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(root / "_book" / "thesis.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "A logo:" in text and "{{<" not in text


def test_the_projects_brand_file_and_its_fallbacks(tmp_path: Path) -> None:
    brand = "logo:\n  small: sun.png\n  medium: {light: moon.png}\ncolor:\n  background:\n"
    brand += "    light: '#fff'\n    dark: '#000'\n"
    chapter = "# Logos\n\n{{< brand logo small >}}\n\n{{< brand logo medium dark >}}\n"
    root = _book(tmp_path, chapter, brand)
    proc = run_process(root, "build", "--to", "html", timeout=300)
    assert proc.code == 0, proc.err
    assert [(src.lstrip("./"), cls) for src, cls, _ in _imgs(root)] == [
        ("sun.png", "light-content img-fluid"),
        ("sun.png", "dark-content img-fluid"),  # the brand has a dark mode: the same logo
        ("moon.png", "img-fluid"),  # no dark medium logo: the light one
    ]


def test_a_brand_without_a_dark_mode_shows_the_light_logo_only(tmp_path: Path) -> None:
    chapter = (
        "---\nbrand:\n  logo:\n    small: sun.png\n---\n\n# Logos\n\n{{< brand logo small >}}\n"
    )
    root = _book(tmp_path, chapter)
    proc = run_process(root, "build", timeout=300)
    assert proc.code == 0, proc.err
    assert _imgs(root) == [("./sun.png", "light-content img-fluid", "")]
    # a logo without alt text is decorative in the PDF too (PDF/UA refuses an image
    # without alt text unless it is an artifact), not a Typst error
    assert len(pdf_images(root / "_book" / "thesis.pdf")) == 1
    assert "Logos" in pdf_text(root / "_book" / "thesis.pdf")


@pytest.mark.parametrize(
    ("shortcode", "message"),
    [
        ("{{< brand color primary >}}", "unknown brand subcommand 'color'"),
        ("{{< brand logo huge >}}", "brand shortcode: use {{< brand logo small|medium|large"),
        ("{{< brand logo large >}}", "the brand has no large logo"),
        ("{{< brand logo medium >}}", "image not found: medium.png"),
    ],
)
def test_errors_name_the_line(tmp_path: Path, shortcode: str, message: str) -> None:
    chapter = "---\nbrand:\n  logo:\n    small: sun.png\n    medium: medium.png\n---\n\n"
    root = _book(tmp_path, chapter + f"# Logos\n\nText.\n\n{shortcode}\n")
    proc = run_process(root, "build", "--to", "html", timeout=300)
    assert proc.code != 0
    assert "Traceback" not in proc.err
    error = next(line for line in proc.err.splitlines() if line.startswith("error"))
    assert error.startswith("error: logos.qmd:12: ") and message in error, error


def test_a_brand_file_named_in_the_config_has_paths_relative_to_it(tmp_path: Path) -> None:
    root = _book(tmp_path, "# Logos\n\n{{< brand logo small light >}}\n")
    config = root / "_quarto.yml"
    config.write_text(config.read_text("utf-8") + "brand: style/brand.yml\n", "utf-8")
    (root / "style").mkdir()
    (root / "style" / "logo.png").write_bytes(_png((1, 2, 3)))
    (root / "style" / "brand.yml").write_text("logo:\n  small: {path: logo.png, alt: L}\n", "utf-8")
    proc = run_process(root, "build", "--to", "html", timeout=300)
    assert proc.code == 0, proc.err
    assert _imgs(root) == [("style/logo.png", "img-fluid", "L")]
    assert (root / "_book" / "style" / "logo.png").is_file()


def test_no_brand_is_an_error(tmp_path: Path) -> None:
    root = _book(tmp_path, "# Logos\n\n{{< brand logo small >}}\n")
    proc = run_process(root, "build", "--to", "html", timeout=300)
    assert proc.code != 0
    assert "error: logos.qmd:3: brand shortcode: no brand (no 'brand:'" in proc.err
