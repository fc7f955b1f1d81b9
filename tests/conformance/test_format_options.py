"""Options under `format: html:` and `format: typst:` act on their own edition (caption places,
code folding), or are refused or warned about with the registry's message."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.slow  # builds the floats book (both editions) and two that stop
HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CONFIG = """project:
  type: book
book:
  title: "Floats"
  chapters:
    - index.qmd
    - floats.qmd
    - cells.qmd
format:
  html:
{html}
  typst:
{typst}
"""


def _book(tmp: Path, html: str, typst: str = "    papersize: a4") -> Path:
    root = tmp / "book"
    shutil.copytree(
        HERE / "floats-book",
        root,
        ignore=shutil.ignore_patterns("_book", "_freeze", "figures", ".bookbuild"),
    )
    (root / "_quarto.yml").write_text(CONFIG.format(html=html, typst=typst), "utf-8")
    return root


def _build(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bookbuild", "--root", str(root), "build", *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = _book(
        tmp_path_factory.mktemp("format"),
        "    fig-cap-location: top\n    tbl-cap-location: bottom\n"
        "    code-fold: true\n    code-summary: Show the code\n    theme: cosmo",
        "    fig-cap-location: top\n    lst-cap-location: bottom",
    )
    proc = _build(root)
    assert proc.returncode == 0, proc.stderr
    root.joinpath("stderr.txt").write_text(proc.stderr, "utf-8")
    return root


def _page(root: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((root / "_book" / name).read_text("utf-8"), "html.parser")


def test_html_caption_locations(built):
    page = _page(built, "floats.html")
    figure = page.select_one("div#fig-square > figure")
    assert figure.find(True, recursive=False).name == "figcaption"  # fig-cap-location: top
    assert "quarto-float-caption-top" in figure.find("figcaption")["class"]
    assert "caption-bottom" in page.select_one("div#tbl-plain table")["class"]
    picture = page.select_one("div#tbl-picture > figure")  # a table float: caption below
    assert [c.name for c in picture.find_all(True, recursive=False)][-1] == "figcaption"


def test_html_code_fold_is_every_cells_default(built):
    page = _page(built, "cells.html")
    fold = page.select_one("details.code-fold")
    assert fold is not None and fold.summary.get_text() == "Show the code"
    assert "total = 2 + 3" in fold.get_text()


def test_an_ignored_format_option_is_named_in_a_warning(built):
    assert "format: html option 'theme' is ignored by this build" in (
        built / "stderr.txt"
    ).read_text("utf-8")


def _y(words: list[tuple[float, str]], text: str) -> float:
    return next(y for y, w in words if w == text)


def test_pdf_caption_locations(built):
    bbox = subprocess.run(
        ["pdftotext", "-bbox", str(built / "_book" / "thesis.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pages = bbox.split("<page ")
    grid = next(p for p in pages if "Left" in p and "table" in p and "Figure" in p)
    words = [
        (float(line.split('yMin="')[1].split('"')[0]), line.split(">")[1].split("<")[0])
        for line in grid.splitlines()
        if "<word " in line
    ]
    assert _y(words, "that") < _y(words, "Left")  # "Figure 1.2: A figure that is a table"
    code = next(p for p in pages if "below" in p and "Listing" in p and "print" in p)
    words = [
        (float(line.split('yMin="')[1].split('"')[0]), line.split(">")[1].split("<")[0])
        for line in code.splitlines()
        if "<word " in line
    ]
    assert _y(words, "Caption") > max(y for y, w in words if w.startswith("print"))


@pytest.mark.parametrize(
    ("html", "message"),
    [
        (
            "    echo: false",
            "_quarto.yml:11: 'echo' under format: html is not supported by this build",
        ),
        (
            "    fig-cap-location: margin",
            "_quarto.yml:11: format: html option 'fig-cap-location' must be one of: top, bottom",
        ),
    ],
)
def test_what_format_options_refuse(tmp_path, html, message):
    proc = _build(_book(tmp_path, html), "--to", "html")
    assert proc.returncode == 1 and message in proc.stderr, proc.stderr
