"""Short captions in the thesis: every figure and table whose caption is long or carries a
cross-reference or citation declares one (`fig-scap`, and for tables this build's `tbl-scap`:
Quarto has no short caption for tables), so each entry of the PDF's lists of figures and
tables is one line; the HTML edition carries none of them."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pdf_pages import pages, top_level_pages

from bookbuild.source.markdown_text import pipe_table

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "_book"
ONE_LINE = 60  # characters of caption that fit a line of the lists, with number and page


def _captions() -> list[tuple[str, str, str | None]]:
    """(label, caption, short caption) of every figure and table cell and markdown table."""
    found = []
    for path in sorted((ROOT / "chapters").glob("*.qmd")):
        text = path.read_text("utf-8")
        for cell in re.findall(r"```\{python\}\n((?:#\|.*\n)+)", text):
            options = yaml.safe_load("".join(line[3:] + "\n" for line in cell.splitlines()))
            label = str(options.get("label", ""))
            if label.startswith(("fig-", "tbl-")):
                caption = options.get(f"{label[:3]}-cap", "")
                found.append((label, caption, options.get(f"{label[:3]}-scap")))
        for caption, attrs in re.findall(r"^: (.*) \{(#tbl-[^}]*)\}$", text, re.M):
            short = re.search(r'tbl-scap="([^"]*)"', attrs)
            found.append((attrs.split()[0][1:], caption, short[1] if short else None))
    return found


def test_every_long_or_referring_caption_declares_a_short_one() -> None:
    captions = _captions()
    assert len(captions) >= 30
    for label, caption, short in captions:
        if len(caption) > ONE_LINE or "@" in caption:
            assert short, f"{label}: caption needs fig-scap/tbl-scap"
        if short:
            assert len(short) <= ONE_LINE and "@" not in short, label


def test_each_entry_of_the_lists_is_one_line_without_references() -> None:
    pdf = BOOK / "thesis.pdf"
    body = min(n for title, n in top_level_pages(pdf).items() if title.startswith("Part "))
    lists = [p for p in pages(pdf, last=body) if [w.text for w in p.words[:2]] == ["List", "of"]]
    assert len(lists) >= 2, "no lists of figures and tables"
    entries = 0
    for page in lists:
        rows: dict[int, list[str]] = {}
        for word in page.words:
            rows.setdefault(round(word.y1), []).append(word.text)
        lines = [" ".join(words) for _, words in sorted(rows.items())]
        body = [line for line in lines[1:] if not re.fullmatch(r"[ivxl]+", line)]
        for line in body:  # every line starts an entry: none runs over to a second line
            assert re.match(r"(Figure|Table) [\dA-Z]+\.\d+ ", line), line
            assert "see" not in line.split() and "Section" not in line, line
            entries += 1
    assert entries == len(_captions())


def test_a_table_cell_short_caption_becomes_the_tables_attribute() -> None:
    text = pipe_table(["a"], [["1"]], "A long caption.", "tbl-x", short='Short "one"')
    assert text.rstrip().endswith('{#tbl-x tbl-scap="Short \\"one\\""}')
    assert "tbl-scap" not in pipe_table(["a"], [["1"]], "Caption.", "", short="Short")


def test_the_html_edition_carries_no_short_captions() -> None:
    for page in BOOK.glob("*.html"):
        html = page.read_text("utf-8")
        assert "fig-scap" not in html and "tbl-scap" not in html, page.name
