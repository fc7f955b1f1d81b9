"""The PDF's lists of figures and tables: the author's short caption (`fig-scap`, `tbl-scap`)
when given, otherwise the caption's first sentence without cross-references."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bookbuild_helpers import copy_book, pdf_text, run

from bookbuild.document.ast import Str
from bookbuild.writers import short_captions

SPACE = {"t": "Space"}
BOOK = Path(__file__).resolve().parents[1] / "_book"


def _words(text: str) -> list[dict]:
    out: list[dict] = []
    for word in text.split(" "):
        out += [Str(word), SPACE]
    return out[:-1]


def _link(text: str) -> dict:
    return {"t": "Link", "c": [["", ["quarto-xref"], []], [Str(text)], ["#sec-x", ""]]}


def test_a_parenthesis_holding_a_cross_reference_is_left_out_whole() -> None:
    caption = [
        *_words("Profile of the sample (simulated data, see"),
        SPACE,
        _link("Section 4.4"),
        Str(")."),
        SPACE,
        *_words("More text."),
    ]
    entry = short_captions.list_entry({"t": "Table", "c": [["tbl-a", [], []]]}, caption)
    assert entry == _words("Profile of the sample")


def test_a_bare_see_reference_loses_the_reference_and_its_see() -> None:
    caption = [
        *_words("Income by year,"),
        SPACE,
        *_words("see"),
        SPACE,
        _link("Table 3.1"),
        Str("."),
    ]
    entry = short_captions.list_entry({"t": "Table", "c": [["tbl-a", [], []]]}, caption)
    assert entry == _words("Income by year")


def test_a_declared_short_caption_wins_on_a_table_and_on_a_figure_image() -> None:
    table = {"t": "Table", "c": [["tbl-a", [], [["tbl-scap", "Sample  profile"]]]]}
    assert short_captions.list_entry(table, _words("Long. Caption.")) == [Str("Sample profile")]
    image = {"t": "Image", "c": [["", [], [["fig-scap", "Author's income"]]], [], ["a.svg", ""]]}
    figure = {"t": "Figure", "c": [["fig-a", [], []], [None, []], [{"t": "Plain", "c": [image]}]]}
    assert short_captions.declared_short_caption(figure) == "Author's income"
    assert short_captions.list_entry(figure, []) == [Str("Author\u2019s income")]


def _list_pages(pdf: Path) -> str:
    text = " ".join(pdf_text(pdf).replace("\u00a0", " ").split())
    start = text.index("List of Figures")
    end = re.search(r"chapter 1\b", text[start:], flags=re.IGNORECASE)
    assert end, "no chapter after the lists"
    return text[start : start + end.start()]


def test_the_thesis_lists_show_no_cross_references() -> None:
    lists = _list_pages(BOOK / "thesis.pdf")
    assert "see Section" not in lists
    assert re.search(r"Table 4\.2 Profile of the household sample \.", lists)  # its tbl-scap


@pytest.mark.slow
@pytest.mark.slow  # builds the whole fixture book
def test_cell_short_captions_reach_the_lists(tmp_path: Path) -> None:
    root = copy_book(Path(__file__).parent / "fixtures" / "minibook", tmp_path / "book")
    chapter = root / "chapters" / "01-data.qmd"
    text = chapter.read_text(encoding="utf-8")
    text = text.replace(
        '#| fig-cap: "Income by year"',
        '#| fig-cap: "Income by year, a long caption. Second sentence."\n'
        '#| fig-scap: "Income line"',
        1,
    )
    text = text.replace(
        '#| tbl-cap: "Income by year"',
        '#| tbl-cap: "Income by year (see @sec-figures). Second sentence."',
        1,
    )
    chapter.write_text(text, encoding="utf-8")
    result = run(root, "build", "--to", "pdf")
    assert result.code == 0, result.err
    lists = _list_pages(root / "_book" / "thesis.pdf")
    assert re.search(r"Figure 1\.1 Income line \.", lists), lists
    assert "a long caption" not in lists
    assert re.search(r"Table 1\.1 Income by year \.", lists), lists
    assert "Second sentence" not in lists and "see Section" not in lists


def _parts() -> list[str]:
    import yaml

    config = yaml.safe_load((BOOK.parent / "_quarto.yml").read_text(encoding="utf-8"))
    return [c["part"] for c in config["book"]["chapters"] if isinstance(c, dict) and "part" in c]


def test_parts_are_in_the_contents_before_their_first_chapter() -> None:
    text = " ".join(pdf_text(BOOK / "thesis.pdf").replace("\u00a0", " ").split())
    contents = text[text.index("Contents") : text.index("List of Figures")]
    parts = _parts()
    assert len(parts) == 3
    for roman, title in zip(("I", "II", "III"), parts, strict=True):
        assert f"PART {roman} {title}" in contents
    assert re.search(r"PART I Background and theory 1 Introduction \.", contents)
    assert re.search(r"PART III Conclusions 6 Recommendations \.", contents)


def test_parts_are_bookmarks_beside_the_chapters() -> None:
    import pypdf

    outline = pypdf.PdfReader(BOOK / "thesis.pdf").outline
    top = [item.title for item in outline if not isinstance(item, list)]
    parts = _parts()
    for roman, title in zip(("I", "II", "III"), parts, strict=True):
        assert f"Part {roman} {title}" in top
    assert top.index(f"Part II {parts[1]}") + 1 == top.index(
        next(t for t in top if t.startswith("3 "))
    )


def test_running_headers_name_the_chapter_not_the_part() -> None:
    import pypdf

    reader = pypdf.PdfReader(BOOK / "thesis.pdf")
    heads = [page.extract_text().split("\n", 1)[0] for page in reader.pages]
    assert not any(h.startswith(("Background and theory", "The Lankao case")) for h in heads)
    assert any(h.startswith("1 Introduction") or h.startswith("1Introduction") for h in heads)
