"""Figures float, so the thesis's pages are full: no page of the body is more than a quarter
empty, except where a page must end (a chapter's or part's last page). A table turned sideways
floats too (a page of its own, the text running on before it), so it is no exception.

How empty a page is: the distance from the lowest word box in its text area (text, or a
figure's caption, which sits under the figure) to the bottom of the text area, as a share of
the text area's height; the text area comes from the book's declared layout.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pdf_pages import MM, Page, pages, top_level_pages

from bookbuild.config.layout import load_layout

ROOT = Path(__file__).resolve().parents[1]
THESIS = ROOT / "_book" / "thesis.pdf"
MOST_EMPTY = 0.25


def _empty_share(page: Page, top: float, bottom: float) -> float:
    words = page.body(top, bottom)
    area = page.height - top - bottom
    if not words:
        return 1.0
    return (page.height - bottom - max(w.y1 for w in words)) / area


def body_pages_that_may_not_end_early(pdf: Path) -> list[Page]:
    """The body's pages (first part or chapter to the last appendix) on which the text must
    run to the bottom: not a chapter's or part's last page."""
    openings = top_level_pages(pdf)
    first = min(n for title, n in openings.items() if title.startswith(("Part ", "1 ")))
    last = openings.get("Colophon", max(openings.values()) + 1) - 1
    found = pages(pdf)
    starts = set(openings.values())

    return [p for p in found if first <= p.number < last and p.number + 1 not in starts]


def test_no_body_page_of_the_thesis_is_more_than_a_quarter_empty() -> None:
    if not THESIS.is_file():
        pytest.fail("no built edition in _book/: run `make` (or `make test`) first")
    layout = load_layout(ROOT)
    checked = body_pages_that_may_not_end_early(THESIS)
    assert len(checked) > 50
    shares = {p.number: _empty_share(p, layout.top * MM, layout.bottom * MM) for p in checked}
    worst = sorted(shares.items(), key=lambda item: -item[1])[:3]
    assert all(share <= MOST_EMPTY for _, share in worst), [(n, f"{s:.0%}") for n, s in worst]


def test_figures_stay_inside_their_chapter_after_their_first_mention() -> None:
    """Each figure's caption is on a page of its own chapter, not before the page that
    first mentions it."""
    openings = sorted(top_level_pages(THESIS).values())
    found = pages(THESIS)
    texts = {p.number: " ".join(w.text for w in p.words) for p in found}
    captions = {}
    for page in found:
        words = [w.text for w in page.words]
        for i, word in enumerate(words[:-1]):
            if word == "Figure" and words[i + 1].endswith(":"):
                captions.setdefault(words[i + 1].rstrip(":"), page.number)
    assert len(captions) >= 10
    for number, page in captions.items():
        chapter = max(n for n in openings if n <= page)
        mention = re.compile(rf"Figure {re.escape(number)}(?!:)\b")  # not the caption
        mentions = [n for n in range(chapter, page + 1) if mention.search(texts[n])]
        assert mentions, f"Figure {number} on page {page} is not mentioned before it in its chapter"
        end = min([n for n in openings if n > chapter] or [len(found) + 1])
        assert page < end, f"Figure {number} crossed its chapter's end"


def test_no_figure_floats_above_a_chapter_title() -> None:
    found = pages(THESIS)
    for title, number in top_level_pages(THESIS).items():
        if re.match(r"(\d+|[A-E]) ", title):
            first = min(found[number - 1].words, key=lambda w: (round(w.y0), w.x0))
            assert first.text in ("CHAPTER", "APPENDIX"), (title, first.text)
