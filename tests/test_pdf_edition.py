"""The PDF edition: the fixture book built once per session (in a temporary copy), then read
back with poppler-utils (pdfinfo, pdffonts, pdftotext) and pypdf (outline, page labels, links).

These check what the archive and the reader get: PDF/A-2b + PDF/UA-1 metadata, embedded
fonts including the CJK one, roman then arabic page numbers, bookmarks, working internal
links, numbered captions, Chinese text and running headers.
"""

from __future__ import annotations

import dataclasses
import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bookbuild_helpers import last_build

from bookbuild.config.project import load_book
from bookbuild.document.ast import Str
from bookbuild.errors import BuildError
from bookbuild.writers import fonts, pdf, short_captions

FIXTURE = Path(__file__).parent / "fixtures" / "minibook"
pypdf = pytest.importorskip("pypdf")
pytestmark = pytest.mark.skipif(
    shutil.which("pdfinfo") is None, reason="poppler-utils (pdfinfo, pdffonts, pdftotext) needed"
)


def _poppler(*args: str) -> str:
    return subprocess.run(list(args), capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="session")
def built(fixture_book: Path) -> tuple[Path, dict[str, float]]:
    """(thesis.pdf, build timings) of the fixture book built once per session (conftest)."""
    return fixture_book / "_book" / "thesis.pdf", last_build(fixture_book)["timings_s"]


@pytest.fixture(scope="session")
def thesis(built: tuple[Path, dict[str, float]]) -> Path:
    return built[0]


@pytest.fixture(scope="session")
def pages(thesis: Path) -> list[str]:
    """The text of each page, in order (pdftotext separates pages with form feeds)."""
    text = _poppler("pdftotext", "-layout", str(thesis), "-")
    return text.split("\f")[:-1]


@pytest.fixture(scope="session")
def reader(thesis: Path):
    return pypdf.PdfReader(thesis)


def _lines(page: str) -> list[str]:
    return [line.strip() for line in page.splitlines() if line.strip()]


def _page_with(pages: list[str], needle: str) -> int:
    found = [i for i, page in enumerate(pages) if needle in page]
    assert found, f"{needle!r} is on no page"
    return found[0]


def _roman(n: int) -> str:
    """Lower-case roman numeral, written out independently of Typst's."""
    out = ""
    for value, letters in ((10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out, n = out + letters, n - value
    return out


def test_metadata_and_standards(thesis: Path) -> None:
    info = dict(re.findall(r"^([\w ]+):\s*(.*)$", _poppler("pdfinfo", str(thesis)), re.M))
    assert info["Title"] == "A Small Test Book: Every construct the build supports"
    assert info["Author"] == "Test Author"
    assert info["Keywords"] == "testing, books"
    assert info["Tagged"] == "yes"
    assert info["PDF version"] == "1.7"  # PDF/A-2 is based on PDF 1.7
    xmp = _poppler("pdfinfo", "-meta", str(thesis))
    assert re.search(r"<pdfaid:part>2</pdfaid:part>", xmp)
    assert re.search(r"<pdfaid:conformance>B</pdfaid:conformance>", xmp)
    assert re.search(r"<pdfuaid:part>1</pdfuaid:part>", xmp)
    assert re.search(r"<dc:language>.*<rdf:li>en</rdf:li>", xmp, re.S)


def test_catalog_language_and_marking(reader) -> None:
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root


def test_every_font_embedded_and_cjk_font_present(thesis: Path) -> None:
    rows = _poppler("pdffonts", str(thesis)).splitlines()[2:]
    assert rows, "pdffonts listed no fonts"
    names = []
    for row in rows:
        fields = row.split()
        # columns from the right: object ID (2 fields), uni, sub, emb
        assert fields[-5] == "yes", f"font not embedded: {row}"
        names.append(fields[0])
    # Chinese text in a serif beside the serif Latin, each face a static Regular (not "Thin")
    assert any("NotoSerifSC-Regular" in name for name in names), names
    assert any("LibertinusSerif" in name for name in names)
    assert not any("Thin" in name for name in names), names


def test_front_matter_roman_then_chapter_one_is_page_one(pages: list[str], reader) -> None:
    chapter_one = _page_with(pages, "Data and results\n")
    assert "CHAPTER 1" in pages[chapter_one]
    assert _lines(pages[chapter_one])[-1] == "1"
    # every page between the title page and chapter 1 that shows a number shows i, ii, ...
    shown = [_lines(p)[-1] for p in pages[1:chapter_one] if _lines(p)]
    romans = [s for s in shown if re.fullmatch(r"[ivx]+", s)]
    assert romans == [_roman(n) for n in range(1, len(romans) + 1)]
    assert len(romans) >= 4  # preface, contents, list of figures, list of tables
    labels = reader.page_labels
    assert labels[chapter_one] == "1"
    assert labels[chapter_one + 1] == "2"
    assert labels[1:5] == ["i", "ii", "iii", "iv"]


def test_outline_lists_chapters_and_sections(reader) -> None:
    def titles(items, depth=0):
        for item in items:
            if isinstance(item, list):
                yield from titles(item, depth + 1)
            else:
                yield depth, item.title, reader.get_destination_page_number(item)

    outline = list(titles(reader.outline))
    top = [title for depth, title, _ in outline if depth == 0]
    assert top[:4] == ["Preface", "Part I Findings", "1 Data and results", "2 Prose only"]
    assert "A Extra material" in top and "References" in top
    assert (1, "1.1 Figures") in [(d, t) for d, t, _ in outline]
    # the bookmark for chapter 1 lands on the page labelled 1
    page = next(p for _, t, p in outline if t == "1 Data and results")
    assert reader.page_labels[page] == "1"


def test_cross_references_are_links_to_the_right_page(reader, pages: list[str]) -> None:
    figure_page = _page_with(pages, "Figure 1.1: Income by year")
    link_pages = []
    for index, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot["/Subtype"] == "/Link" and "/Dest" in annot:
                link_pages.append((index, annot))
    assert len(link_pages) >= 10
    # the first link in chapter 1's text is "Figure 1.1": it points at the figure's page
    chapter_one = _page_with(pages, "Data and results\n")
    text_links = [a for i, a in link_pages if i == chapter_one]
    targets = []
    for annot in text_links:
        dest = annot["/Dest"]
        if isinstance(dest, str):  # a named destination
            dest = reader.named_destinations[dest]
            targets.append(reader.get_destination_page_number(dest))
        else:
            targets.append(reader.get_page_number(dest[0].get_object()))
    assert figure_page in targets


def test_numbers_captions_and_chinese_text(pages: list[str]) -> None:
    text = "\n".join(pages)
    assert "Figure 1.1: Income by year" in text
    assert "Table 1.1: Income by year" in text
    assert "Table A.1: Glossary" in text
    assert "APPENDIX A" in text
    assert "兰考县" in text
    assert "精准扶贫" in text
    # the lists of figures and tables use the same numbers as the captions
    lof = pages[_page_with(pages, "List of Figures")]
    lot = pages[_page_with(pages, "List of Tables")]
    assert re.search(r"1\.1\s+Income by year", lof)
    assert re.search(r"A\.1\s+Glossary", lot)


_CAPTION = re.compile(r"\b(Figure|Table) ([0-9A-Z]+\.[0-9]+): (\w+)")


def test_pdf_and_html_captions_agree(thesis: Path, pages: list[str]) -> None:
    """Every numbered caption reads the same in both editions and is listed in the PDF."""
    body = "\n".join(pages).replace("\u00a0", " ")
    pdf_captions = set(_CAPTION.findall(body))
    web = ""
    for page in sorted(thesis.parent.glob("*.html")):
        text = html.unescape(re.sub(r"<[^>]+>", " ", page.read_text("utf-8")))
        web += re.sub(r"\s+", " ", text.replace("\u00a0", " ")) + "\n"
    html_captions = set(_CAPTION.findall(web))
    assert pdf_captions == html_captions
    assert len(pdf_captions) == 3
    lists = pages[_page_with(pages, "List of Figures")] + pages[_page_with(pages, "List of Tables")]
    for kind, number, words in pdf_captions:
        assert re.search(rf"{kind} {re.escape(number)}\s+{words}", lists)


def test_running_header_on_body_pages_not_on_openings(pages: list[str]) -> None:
    chapter_one = _page_with(pages, "Data and results\n")
    assert not _lines(pages[chapter_one])[0].startswith("1 Data and results")
    following = pages[chapter_one + 1]
    assert "CHAPTER" not in following
    assert re.match(r"1\s+Data and results\s+2$", _lines(following)[0])


def test_pdf_stage_is_fast(built: tuple[Path, dict[str, float]]) -> None:
    assert built[1]["pdf"] < 3.0


def test_missing_cjk_package_names_the_font(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "_cjk_package_dir", lambda: None)
    with pytest.raises(BuildError, match=r"Noto Sans SC.*justmytype-intl-cjk"):
        fonts.cjk_font_dir()


def test_empty_font_folder_names_the_font(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(fonts, "_cjk_package_dir", lambda: tmp_path)
    with pytest.raises(BuildError, match="Noto Sans SC") as info:
        fonts.cjk_font_dir()
    assert str(tmp_path) in str(info.value)


def test_unreadable_font_file_names_the_font(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "NotoSansSC-Regular.ttf").write_bytes(b"not a font")
    monkeypatch.setattr(fonts, "_cjk_package_dir", lambda: tmp_path)
    with pytest.raises(BuildError, match="cannot read the CJK font 'Noto Sans SC'"):
        fonts.cjk_font_dir()


def test_image_without_alt_text_is_a_decorative_artifact() -> None:
    """PDF/UA needs alt text on a figure; one without is decoration, as `alt=""` in HTML
    (the document stage warned of it at its line)."""
    image = {"t": "Image", "c": [["", [], []], [], ["figures/x.svg", ""]]}
    out = pdf.image_alt_text([{"t": "Para", "c": [image]}], "chapters/x.qmd")
    assert out[0]["c"][0]["c"][1] == '#pdf.artifact(box(image("figures/x.svg")))'


def test_image_alt_text_and_size_reach_typst() -> None:
    image = {
        "t": "Image",
        "c": [["", [], [["width", "96px"]]], [Str("A chart")], ["figures/x.svg", ""]],
    }
    out = pdf.image_alt_text([{"t": "Para", "c": [image]}], "x.qmd")
    code = out[0]["c"][0]["c"][1]
    assert code == '#box(image("figures/x.svg", alt: "A chart", width: 72pt))'


def test_first_sentence_of_caption_for_the_lists() -> None:
    inlines = [
        Str("Income"),
        {"t": "Space"},
        Str("rises."),
        {"t": "Space"},
        Str("Source:"),
        {"t": "Space"},
        Str("NBS."),
    ]
    assert short_captions.first_sentence(inlines) == [Str("Income"), {"t": "Space"}, Str("rises")]


def _alt_texts(node, seen: set[int] | None = None) -> list[str]:
    """Every /Alt in the structure tree (the text a screen reader gives for a figure)."""
    seen = set() if seen is None else seen
    found: list[str] = []
    if hasattr(node, "indirect_reference") and node.indirect_reference is not None:
        key = node.indirect_reference.idnum
        if key in seen:
            return found
        seen.add(key)
    node = node.get_object()
    if isinstance(node, dict):
        if "/Alt" in node:
            found.append(str(node["/Alt"]))
        kids = node.get("/K")
        if kids is not None:
            found += _alt_texts(kids, seen)
    elif isinstance(node, list):
        for kid in node:
            found += _alt_texts(kid, seen)
    return found


def test_figures_and_equations_have_alt_text(reader) -> None:
    alts = _alt_texts(reader.trailer["/Root"]["/StructTreeRoot"])
    assert "A line rising from 3,500 yuan in 2014 to 9,943 yuan in 2019." in alts
    assert any(r"\frac{y_{2019}}{y_{2014}}" in alt for alt in alts)


def test_table_columns_fit_or_share_by_length() -> None:
    # fits: Typst sizes the columns itself
    assert pdf.column_fractions([["Year", "Value"], ["2014", "3500"]]) is None
    # a year column and two text columns, one four times as long as the other
    short, long_a, long_b = "2014", " ".join(["word"] * 20), " ".join(["word"] * 80)
    fractions = pdf.column_fractions([["Year", "A", "B"], [short, long_a, long_b]], width=400)
    assert fractions is not None and sum(fractions) == pytest.approx(1.0)
    year = pdf._text_width("2014") + pdf.TABLE_PAD_PT
    assert fractions[0] == pytest.approx(year / 400)
    # the text columns split the rest by the square root of their natural widths (about 1:2)
    natural_a = pdf._text_width(long_a) + pdf.TABLE_PAD_PT
    natural_b = pdf._text_width(long_b) + pdf.TABLE_PAD_PT
    assert fractions[2] / fractions[1] == pytest.approx((natural_b / natural_a) ** 0.5)


def test_unknown_font_in_the_document_is_an_error(tmp_path: Path) -> None:
    source = '#set document(title: "t")\n#set text(lang: "en", font: "Nope Sans")\nSome text.\n'
    with pytest.raises(BuildError, match="font Typst cannot find") as info:
        pdf.compile_pdf(source, tmp_path, tmp_path / "out.pdf", 0)
    assert "nope sans" in str(info.value)
    assert not (tmp_path / "out.pdf").exists()


def test_keywords_also_read_from_the_document_level() -> None:
    book = dataclasses.replace(load_book(FIXTURE), pdf={}, metadata={"keywords": "a b, c"})
    meta = pdf.typst_metadata(book)
    assert [k["c"][0]["c"][1] for k in meta["pdf-keywords"]["c"]] == ['"a b"', '"c"']
    title = meta["pdf-title"]["c"][0]["c"][1]
    assert title == '"A Small Test Book: Every construct the build supports"'
