"""The preview's one-page rebuild (`bookbuild/commands/quick.py`) assembles a chapter as the
full build does: a chapter titled in its front matter, and a book whose conditional content
holds numbered things (each edition numbered apart), get from a prose save the page a full
build writes, byte for byte; numbered things coming into conditional content build the book."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bookbuild_helpers import copy_book

from bookbuild.commands.build import build
from bookbuild.commands.progress import Reporter
from bookbuild.commands.quick import QuickPages

CONDITIONAL = """
::: {.content-visible when-format="html"}
| a | b |
|---|---|
| 1 | 2 |

: Web only table {#tbl-web}

The web table is @tbl-web.
:::

::: {.content-hidden when-format="html"}
| c | d |
|---|---|
| 3 | 4 |

: Print only table {#tbl-print}

The print table is @tbl-print.
:::

| e | f |
|---|---|
| 5 | 6 |

: Common table {#tbl-common}

In both editions: @tbl-common.
"""


def _html(root: Path) -> list[str]:
    """Build the HTML edition; the chapters it converted again."""
    build(root, formats=("html",), reporter=Reporter(quiet=True))
    record = json.loads((root / ".bookbuild" / "last-build.json").read_text("utf-8"))
    return record["rendered_chapters"].get("html", [])


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text("utf-8").rstrip("\n") + f"\n\n{text}\n", "utf-8")


@pytest.fixture
def book(fixture_book: Path, tmp_path: Path) -> Path:
    """The fixture book with 02-prose titled in its front matter and the appendix holding
    numbered tables in conditional content, built (HTML)."""
    root = copy_book(fixture_book, tmp_path / "book", with_products=True)
    prose = root / "chapters" / "02-prose.qmd"
    text = prose.read_text("utf-8")
    assert text.startswith("# Prose only {#sec-prose}\n")
    body = text.removeprefix("# Prose only {#sec-prose}\n")
    prose.write_text('---\ntitle: "Prose only {#sec-prose}"\n---\n' + body, "utf-8")
    _append(root / "chapters" / "a-extra.qmd", CONDITIONAL)
    _html(root)
    return root


def test_a_titled_chapter_and_per_edition_numbering_keep_the_full_builds_page(book):
    quick = QuickPages(book)
    assert quick.prime()
    for name, sentence in [
        ("02-prose", "A sentence saved under a front-matter title."),
        ("a-extra", "A sentence saved beside conditional tables."),
    ]:
        chapter = book / "chapters" / f"{name}.qmd"
        _append(chapter, sentence)
        page = quick.rebuild([chapter])
        assert page == f"{name}.html", quick.why
        quick.settle()
        written = (book / "_book" / page).read_text("utf-8")
        assert sentence in written
        assert _html(book) == []  # the full build converts nothing again...
        assert (book / "_book" / page).read_text("utf-8") == written  # ...and agrees
        assert quick.differs() == []
    prose = (book / "_book" / "02-prose.html").read_text("utf-8")
    assert '<h1 id="sec-prose"' in prose and "Prose only" in prose
    extra = (book / "_book" / "a-extra.html").read_text("utf-8")
    # the HTML edition numbers its own tables: the glossary, the web table, the common one
    assert "Web only table" in extra and "Print only table" not in extra
    assert "Table\u00a0A.2" in extra and "Table\u00a0A.3" in extra
    assert "Table\u00a0A.4" not in extra


def test_numbered_things_coming_into_conditional_content_build_the_book(book):
    quick = QuickPages(book)
    assert quick.prime()
    page = book / "_book" / "02-prose.html"
    before = page.read_bytes()
    chapter = book / "chapters" / "02-prose.qmd"
    _append(chapter, CONDITIONAL.replace("tbl-", "tbl-prose-"))
    assert quick.rebuild([chapter]) is None
    assert quick.why == "numbered things came into or left conditional content"
    assert page.read_bytes() == before  # nothing written
