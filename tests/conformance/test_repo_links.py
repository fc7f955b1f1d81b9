"""`book: repo-url:` and `repo-actions:`: the HTML edition links to the book's sources as a
Quarto book does (its markup, so Quarto's selectors hold), per page and per chapter."""

from __future__ import annotations

from pathlib import Path

import pytest
from bookbuild_helpers import page, run

CONFIG = """\
project:
  type: book
book:
  title: Repo
  repo-url: https://github.com/example/thesis
  repo-subdir: book
  repo-branch: trunk
  repo-actions: [edit, source, issue]
  repo-link-target: _blank
  repo-link-rel: noreferrer
  chapters: [index.qmd, short.qmd, quiet.qmd]
"""


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("repo")
    (root / "_quarto.yml").write_text(CONFIG, "utf-8")
    (root / "index.qmd").write_text("# Home\n\n## A\n\n## B\n\n## C\n\nText.\n", "utf-8")
    (root / "short.qmd").write_text(
        "---\nrepo-actions: [issue]\nlanguage:\n  repo-action-links-issue: Signaler\n---\n\n"
        "# Short\n\nShort.\n",
        "utf-8",
    )
    (root / "quiet.qmd").write_text("---\nrepo-actions: false\n---\n\n# Quiet\n\nNo.\n", "utf-8")
    result = run(root, "build", "--to", "html")
    assert result.code == 0, result.err
    assert "ignored" not in result.err, result.err
    return root


def _actions(root: Path, name: str) -> list[tuple[str, str, str, str]]:
    return [
        (a.text().strip(), a.attrs.get("href"), a.attrs.get("target"), a.attrs.get("rel"))
        for a in page(root, name).find_all("a", cls="toc-action")
    ]


def test_every_page_links_the_repository_among_the_tools(book: Path) -> None:
    for name in ("index.html", "short.html", "quiet.html", "colophon.html"):
        (tool,) = page(book, name).find_all("a", cls="quarto-navigation-tool")
        assert tool.attrs["href"] == "https://github.com/example/thesis/tree/trunk/book/"
        assert (tool.attrs["target"], tool.attrs["rel"]) == ("_blank", "noreferrer")
        assert tool.attrs["aria-label"] == "Source Code"


def test_a_page_with_contents_lists_its_actions_under_them(book: Path) -> None:
    base = "https://github.com/example/thesis/"
    assert _actions(book, "index.html") == [
        ("Edit this page", base + "edit/trunk/book/index.qmd", "_blank", "noreferrer"),
        ("View source", base + "blob/trunk/book/index.qmd", "_blank", "noreferrer"),
        ("Report an issue", base + "issues/new", "_blank", "noreferrer"),
    ]
    toc = page(book, "index.html").find("nav", cls="page-toc")
    assert toc.find("div", cls="toc-actions").find_all("a", cls="toc-action")


def test_a_chapter_chooses_its_own_actions_or_none(book: Path) -> None:
    # a short page has no contents list: the actions go to its foot, in its own words
    assert _actions(book, "short.html") == [
        ("Signaler", "https://github.com/example/thesis/issues/new", "_blank", "noreferrer")
    ]
    footer = page(book, "short.html").find("footer", cls="site-footer")
    assert footer.find_all("a", cls="toc-action")
    assert _actions(book, "quiet.html") == []
    # the colophon is the build's own page: there is no source of it to edit
    assert _actions(book, "colophon.html") == []


@pytest.mark.parametrize(
    ("book_lines", "message"),
    [
        (
            "  repo-url: https://github.com/x/y\n  repo-actions: [edit, fork]\n",
            "_quarto.yml:6: book option 'repo-actions': unknown action 'fork' (use edit, "
            "source, issue)",
        ),
        (
            "  repo-actions: [edit]\n",
            "_quarto.yml:5: book option 'repo-actions' needs book: repo-url:",
        ),
        ("  repo-url: [a, b]\n", "_quarto.yml:5: book option 'repo-url' must be text"),
    ],
)
def test_bad_repository_options_are_refused_at_their_line(
    tmp_path: Path, book_lines: str, message: str
) -> None:
    (tmp_path / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: R\n" + book_lines + "  chapters: [index.qmd]\n",
        "utf-8",
    )
    (tmp_path / "index.qmd").write_text("# Home\n\nText.\n", "utf-8")
    result = run(tmp_path, "build", "--to", "html")
    assert result.code == 1 and message in result.err, result.err
