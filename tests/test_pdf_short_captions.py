"""Short captions in the thesis: every figure and table whose caption is long or carries a
cross-reference or citation declares one (a figure cell's `fig-scap`, a markdown table's
`tbl-scap` attribute, and for a table made by a cell, for which Quarto has no option, its
label under `thesis: short-captions:` in `_quarto.yml`), so each entry of the PDF's lists of
figures and tables is one line; the HTML edition carries none of them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from pdf_pages import pages, top_level_pages

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "_book"
ONE_LINE = 60  # characters of caption that fit a line of the lists, with number and page


def _captions() -> list[tuple[str, str, str | None]]:
    """(label, caption, short caption) of every figure and table cell and markdown table."""
    config = yaml.safe_load((ROOT / "_quarto.yml").read_text("utf-8"))
    configured = config["thesis"].get("short-captions", {})
    found = []
    for path in sorted((ROOT / "chapters").glob("*.qmd")):
        text = path.read_text("utf-8")
        for cell in re.findall(r"```\{python\}\n((?:#\|.*\n)+)", text):
            options = yaml.safe_load("".join(line[3:] + "\n" for line in cell.splitlines()))
            label = str(options.get("label", ""))
            if label.startswith(("fig-", "tbl-")):
                caption = options.get(f"{label[:3]}-cap", "")
                short = options.get(f"{label[:3]}-scap") or configured.get(label)
                found.append((label, caption, short))
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


def test_short_captions_in_the_config_are_checked(tmp_path: Path) -> None:
    from test_front_matter import FULL, _project

    from bookbuild.config.project import load_book
    from bookbuild.config.thesis import load_short_captions
    from bookbuild.errors import BuildError

    good = FULL + '  short-captions:\n    tbl-a: "Short  one"\n'
    book = load_book(_project(tmp_path, good))
    assert load_short_captions(book) == {"tbl-a": ("Short one", good.count("\n"))}
    for bad, words in (
        ('  short-captions:\n    sec-a: "x"\n', "not a table or figure label"),
        ("  short-captions:\n    tbl-a: 3\n", "must be the short caption's text"),
        ("  short-captions: [a]\n", "must map labels"),
    ):
        (tmp_path / "_quarto.yml").write_text(FULL + bad, "utf-8")
        with pytest.raises(BuildError) as caught:
            load_short_captions(load_book(tmp_path))
        assert words in caught.value.message
        assert caught.value.line == FULL.count("\n") + bad.count("\n")


def test_the_html_edition_carries_no_short_captions() -> None:
    for page in BOOK.glob("*.html"):
        html = page.read_text("utf-8")
        assert "fig-scap" not in html and "tbl-scap" not in html, page.name


def test_a_short_caption_for_an_unknown_label_stops_the_pdf(tmp_path: Path) -> None:
    from test_layout import HEAD, THESIS

    from bookbuild.commands.build import build
    from bookbuild.errors import BuildError

    config = HEAD + THESIS + '  short-captions:\n    tbl-missing: "A table"\n'
    (tmp_path / "_quarto.yml").write_text(config, "utf-8")
    for name in ("index", "one", "two", "three"):
        (tmp_path / f"{name}.qmd").write_text(f"# {name.title()}\n\nText.\n", "utf-8")
    with pytest.raises(BuildError) as caught:
        build(tmp_path, formats=("pdf",), jobs=1)
    assert "no figure or table is labelled 'tbl-missing'" in caught.value.message
    assert caught.value.line == config.count("\n")
