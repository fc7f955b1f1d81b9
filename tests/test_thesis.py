"""The rendered thesis itself: every chapter in both editions, its size, figures, references.

These tests read the edition that `make test` builds first (`_book/`).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from bookbuild.config.project import quarto_schema

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "_book"
CHAPTER_FILES = [
    "01-introduction",
    "02-theory",
    "03-lankao",
    "04-survey-design",
    "05-findings",
    "06-recommendations",
    "07-conclusion",
    "a-questionnaires",
    "b-interview-guide",
    "c-codebook",
    "d-glossary",
    "e-statistics",
]


@pytest.fixture(scope="module", autouse=True)
def edition() -> None:
    if not (BOOK / "thesis.pdf").exists():
        pytest.fail("no built edition in _book/: run `make` (or `make test`) first")


class _Main(HTMLParser):
    """Collects the text of <main> and the figures, tables and links inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.text: list[str] = []
        self.images: list[dict[str, str | None]] = []
        self.figures: list[str] = []
        self.tables: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "main":
            self.depth += 1
        if not self.depth:
            return
        if tag in ("details", "pre", "table", "script", "style"):
            self.skip += tag != "table"
        if tag == "img":
            self.images.append(found)
        ident = found.get("id") or ""  # Quarto's markup: the label on the float's div
        if tag == "div" and "quarto-float" in (found.get("class") or "").split():
            if ident.startswith("fig-"):
                self.figures.append(ident)
            elif ident.startswith("tbl-"):
                self.tables.append(ident)

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.depth -= 1
        elif self.depth and tag in ("details", "pre", "script", "style"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and not self.skip:
            self.text.append(data)


@cache
def page(name: str) -> _Main:
    parser = _Main()
    parser.feed((BOOK / f"{name}.html").read_text("utf-8"))
    return parser


@cache
def pdf_text() -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: apt-get install poppler-utils")
    return subprocess.run(
        ["pdftotext", "-layout", str(BOOK / "thesis.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _words(text: str) -> int:
    return len(re.findall(r"[A-Za-z][A-Za-z'’-]*", text))


def test_every_chapter_is_in_both_editions() -> None:
    text = " ".join(pdf_text().split())
    for name in CHAPTER_FILES:
        title = re.search(r"<h1[^>]*>(.*?)</h1>", (BOOK / f"{name}.html").read_text("utf-8"), re.S)
        assert title, f"{name}.html has no chapter heading"
        plain = " ".join(re.sub(r"<[^>]+>", "", title[1]).split())
        assert plain in text, f"chapter '{plain}' is not in the PDF"


def test_at_least_12000_words_of_prose() -> None:
    chapters = [n for n in CHAPTER_FILES if not n.startswith(("a-", "b-", "c-", "d-", "e-"))]
    words = sum(_words(" ".join(page(n).text)) for n in chapters)
    assert words >= 12_000, f"only {words} words of prose in the chapters"


def test_at_least_10_figures_and_8_tables_each_referenced() -> None:
    figures = [f for n in CHAPTER_FILES for f in page(n).figures]
    tables = [t for n in CHAPTER_FILES for t in page(n).tables]
    assert len(figures) >= 10 and len(tables) >= 8, (figures, tables)
    html = " ".join((BOOK / f"{n}.html").read_text("utf-8") for n in CHAPTER_FILES)
    for label in figures + tables:
        assert re.search(rf'href="[^"]*#{label}"', html), f"{label} is never referenced"


def test_every_figure_has_alt_text_and_an_svg() -> None:
    for name in CHAPTER_FILES:
        for image in page(name).images:
            assert (image.get("alt") or "").strip(), f"image without alt text in {name}"
            assert str(image.get("src")).endswith(".svg")
            assert (BOOK / str(image["src"])).exists()


def test_no_unresolved_reference_in_either_edition() -> None:
    text = " ".join(" ".join(page(n).text) for n in CHAPTER_FILES)
    for marker in ("??", "@fig-", "@tbl-", "@sec-", "@eq-"):
        assert marker not in text, marker
    html = " ".join(p.read_text("utf-8") for p in BOOK.glob("*.html"))
    assert 'class="citation"' in html
    assert "??" not in pdf_text()
    assert not re.search(r"@(fig|tbl|sec|eq)-", pdf_text())


def _bib_keys() -> set[str]:
    return set(re.findall(r"@\w+\s*\{\s*([^,\s]+)\s*,", (ROOT / "references.bib").read_text()))


def _cited_keys() -> set[str]:
    sources = [ROOT / "index.qmd", *sorted((ROOT / "chapters").glob("*.qmd"))]
    text = "\n".join(p.read_text("utf-8") for p in sources)
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    keys = set(re.findall(r"(?<![\w.])@([\w:-]+[\w])", text))
    return {k for k in keys if not re.match(r"(fig|tbl|sec|eq)-", k)}


def test_every_citation_resolves_and_every_entry_is_cited() -> None:
    bib, cited = _bib_keys(), _cited_keys()
    assert cited - bib == set(), f"cited but not in references.bib: {sorted(cited - bib)}"
    assert bib - cited == set(), f"in references.bib but never cited: {sorted(bib - cited)}"
    references = " ".join(page("references").text)
    assert "Cronbach" in references and "Likert" in references


def test_chinese_abstract_is_in_the_pdf_and_marked_in_html() -> None:
    text = pdf_text()
    assert "中文摘要" in text
    assert "精准扶贫" in text
    index = (BOOK / "index.html").read_text("utf-8")
    assert re.search(r'lang="zh', index)


def test_the_thesis_says_its_survey_data_are_simulated() -> None:
    for name in ("04-survey-design", "05-findings", "07-conclusion"):
        assert "simulated" in " ".join(page(name).text).lower(), name
    assert "simulated" in (ROOT / "data" / "README.md").read_text("utf-8").lower()


def test_sources_use_only_options_quarto_accepts() -> None:
    schema = quarto_schema()
    config = yaml.safe_load((ROOT / "_quarto.yml").read_text())
    assert set(config["project"]) <= set(schema["project_keys"])
    assert set(config["book"]) <= set(schema["book_keys"])
    for path in [ROOT / "index.qmd", *sorted((ROOT / "chapters").glob("*.qmd"))]:
        for line in path.read_text("utf-8").splitlines():
            match = re.match(r"\s*#\|\s*([\w-]+):", line)
            if match:
                assert match[1] in schema["cell_options"], f"{path.name}: {match[1]}"
