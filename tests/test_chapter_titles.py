"""A chapter's front matter `title:` and its headings: what is refused, what is warned about,
each naming the file and line (the rendering itself: `tests/conformance/test_titles.py`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bookbuild_helpers import run
from bs4 import BeautifulSoup

CONFIG = """\
project:
  type: book
book:
  title: "Titles"
  chapters:
    - index.qmd
    - one.qmd
format:
  html: {}
"""


def build(tmp_path: Path, chapter: str) -> tuple[int, str, Path]:
    root = tmp_path / "book"
    root.mkdir()
    (root / "_quarto.yml").write_text(CONFIG)
    (root / "index.qmd").write_text("# Preface {.unnumbered}\n")
    (root / "one.qmd").write_text(chapter)
    result = run(root, "build", "--to", "html")
    return result.code, result.err, root / "_book"


def test_a_title_and_numbered_level_one_headings_make_sections(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    code, err, book = build(
        tmp_path, "---\ntitle: Methods\n---\n\nText.\n\n# Results\n\n## Detail\n\n# Talk\n"
    )
    assert code == 0, err
    assert "one.qmd:7: the level-1 headings under 'title:' (line 2)" in caplog.text
    assert caplog.text.count("under 'title:'") == 1
    article = BeautifulSoup((book / "one.html").read_text("utf-8"), "html.parser").article
    found = [(h.name, " ".join(h.get_text().split())) for h in article.find_all(["h1", "h2", "h3"])]
    assert found == [
        ("h1", "1 Methods"),
        ("h2", "1.1 Results"),
        ("h3", "1.1.1 Detail"),
        ("h2", "1.2 Talk"),
    ]


def test_a_second_numbered_level_one_heading_without_title_is_refused(tmp_path: Path) -> None:
    code, err, _ = build(tmp_path, "# Methods\n\nText.\n\n# Results\n")
    assert code == 1
    assert "error: one.qmd:5: only one numbered level-1 heading per chapter file" in err


def test_a_title_and_an_unnumbered_level_one_heading_build(tmp_path: Path) -> None:
    code, err, book = build(
        tmp_path, "---\ntitle: Methods\n---\n\n## Data\n\n# Notes {.unnumbered}\n"
    )
    assert code == 0, err
    article = BeautifulSoup((book / "one.html").read_text("utf-8"), "html.parser").article
    found = [(h.name, " ".join(h.get_text().split())) for h in article.find_all(["h1", "h2"])]
    assert found == [("h1", "1 Methods"), ("h2", "1.1 Data"), ("h1", "Notes")]


@pytest.mark.parametrize("value", ["[a, b]", "{x: 1}", "true", "''"])
def test_a_title_that_is_not_text_is_refused_at_its_line(tmp_path: Path, value: str) -> None:
    code, err, _ = build(tmp_path, f"---\nexecute:\n  echo: false\ntitle: {value}\n---\n\nText.\n")
    assert code == 1
    assert "error: one.qmd:4: title: " in err


def test_subtitle_author_and_date_are_warned_about_by_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    chapter = "---\ntitle: Methods\nsubtitle: How\nauthor: A. Person\ndate: 2026-01-01\n---\n"
    code, err, book = build(tmp_path, chapter + "\nText.\n")
    assert code == 0, err
    for line, key in ((3, "subtitle"), (4, "author"), (5, "date")):
        assert (
            f"one.qmd:{line}: front matter option '{key}' is ignored by this build: Quarto "
            "shows it under the chapter's title" in caplog.text
        )
    assert "front matter option 'title'" not in caplog.text
    assert (
        "How"
        not in BeautifulSoup(
            (book / "one.html").read_text("utf-8"), "html.parser"
        ).article.get_text()
    )


@pytest.mark.parametrize(
    ("chapter", "where"),
    [
        ("---\ntitle: '{.unnumbered}'\n---\n\nText.\n", "one.qmd:2: title: gives no heading text"),
        ("Text.\n\n# {#sec-empty}\n", "one.qmd:3: the chapter's title heading is empty"),
    ],
)
def test_an_empty_title_is_refused_at_its_line(tmp_path: Path, chapter: str, where: str) -> None:
    code, err, _ = build(tmp_path, chapter)
    assert code == 1
    assert f"error: {where}" in err and "thesis.typ" not in err
