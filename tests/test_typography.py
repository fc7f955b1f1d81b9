"""Smart punctuation in both editions, and Chinese passages marked `lang="zh"` in the HTML.

Unit tests run the markdown reader and the rewrites on small inputs; the edition tests read
the thesis that `make test` builds first (`_book/`).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from bookbuild_helpers import Element, parse_html

from bookbuild.document import pandoc
from bookbuild.document.ast import stringify, walk
from bookbuild.source.markdown_text import escape
from bookbuild.writers.languages import mark_chinese
from bookbuild.writers.typography import smart_text

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "_book"
PAGES = [
    "index",
    "01-introduction",
    "02-theory",
    "03-lankao",
    "04-survey-design",
    "05-findings",
    "06-recommendations",
    "07-conclusion",
    "d-glossary",
]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _ast(markdown: str) -> list[dict]:
    return pandoc.markdown_to_ast(markdown, ROOT, "a test")["blocks"]


def test_the_markdown_reader_makes_quotes_apostrophes_and_dashes_typographic() -> None:
    blocks = _ast("The county's \"waiting and relying\" mindset, 2017--2019 --- and 'so on'.")
    text = stringify(blocks)
    assert "county\u2019s" in text
    quoted = [(n["c"][0]["t"], stringify(n["c"][1])) for n in walk(blocks) if n["t"] == "Quoted"]
    assert quoted == [("DoubleQuote", "waiting and relying"), ("SingleQuote", "so on")]
    assert "2017\u20132019" in text and "\u2014" in text
    assert "'" not in text and '"' not in text and "--" not in text


def test_computed_text_gets_the_same_punctuation() -> None:
    value = "People's Daily, 'greenlit' -- 2020"
    blocks = _ast(f"Source: {escape(value)}.")
    text = stringify(blocks)
    assert "People\u2019s Daily" in text and "'" not in text
    assert [stringify(n["c"][1]) for n in walk(blocks) if n["t"] == "Quoted"] == ["greenlit"]
    assert "--" in text  # escaped: computed text is never turned into markup or dashes


def test_code_keeps_its_straight_quotes() -> None:
    blocks = _ast("Call `f('x', \"y\")` with --flag.\n\n```\nprint('a--b')\n```\n")
    codes = [n["c"][1] for n in walk(blocks) if n["t"] in ("Code", "CodeBlock")]
    assert codes == ["f('x', \"y\")", "print('a--b')"]


def test_smart_text_for_title_page_fields() -> None:
    assert smart_text("[Author's full name]") == "[Author\u2019s full name]"
    assert smart_text("\"Quoted\" and 'single'") == "\u201cQuoted\u201d and \u2018single\u2019"
    assert smart_text("pages 3--5 --- done") == "pages 3\u20135 \u2014 done"


def _langs(node: dict) -> str | None:
    attr = node["c"][1] if node["t"] == "Header" else node["c"][0]
    return dict(attr[2]).get("lang")


def test_a_chinese_heading_marks_its_whole_section() -> None:
    blocks = _ast(
        '# Abstract\n\nEnglish.\n\n# 摘要 {lang="zh"}\n\n第一段。\n\n## 小节\n\n'
        "第二段。\n\n# Acknowledgements\n\nThanks.\n"
    )
    marked = mark_chinese(blocks, "en")
    kinds = [b["t"] for b in marked]
    assert kinds == ["Header", "Para", "Header", "Div", "Header", "Para"]
    section = marked[3]
    assert _langs(section) == "zh"
    assert [b["t"] for b in section["c"][1]] == ["Para", "Header", "Para"]
    assert stringify(marked[5]) == "Thanks."


def test_chinese_runs_in_english_text_get_a_language_span() -> None:
    blocks = _ast(
        'Precise poverty alleviation (精准扶贫, *jīngzhǔn fúpín*) and [共享]{lang="zh"} sharing.\n'
    )
    marked = mark_chinese(blocks, "en")
    spans = [n for n in walk(marked) if n["t"] == "Span"]
    assert [(stringify(s), _langs(s)) for s in spans] == [("精准扶贫", "zh"), ("共享", "zh")]
    assert "," in stringify(marked)  # the Latin comma after the run stays outside the span
    assert mark_chinese(blocks, "zh-CN") is blocks  # a Chinese book marks nothing


# ---- the built thesis ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def pages() -> dict[str, Element]:
    if not (BOOK / "index.html").is_file():
        pytest.fail("no built edition in _book/: run `make` (or `make test`) first")
    return {name: parse_html((BOOK / f"{name}.html").read_text("utf-8")) for name in PAGES}


def _text_nodes(element: Element):
    for child in element.children:
        if isinstance(child, str):
            yield element, child
        elif child.tag not in ("code", "pre", "script", "style"):
            yield from _text_nodes(child)


def test_body_paragraphs_have_no_straight_quotes(pages: dict[str, Element]) -> None:
    for name, page in pages.items():
        for paragraph in page.find("main").find_all("p"):
            for _parent, text in _text_nodes(paragraph):
                assert "'" not in text and '"' not in text, (name, text)
    index = " ".join(pages["index"].find("main").text().split())
    assert "the county\u2019s lines of assistance" in index
    assert "\u201cwaiting and relying\u201d" in index


def test_the_pdf_body_has_typographic_quotes() -> None:
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(BOOK / "thesis.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    text = " ".join(text.split())
    assert "Lankao\u2019s gains" in text and "Lankao's gains" not in text
    assert "\u201cwaiting and relying\u201d" in text


def test_every_chinese_passage_in_the_html_is_marked_zh(pages: dict[str, Element]) -> None:
    for name, page in pages.items():
        for parent, text in _text_nodes(page.find("main")):
            if not CJK.search(text):
                continue
            chain = [parent, *parent.ancestors()]
            assert any(e.attrs.get("lang", "").startswith("zh") for e in chain), (name, text)
    abstract = [p for p in pages["index"].find("main").find_all("p") if CJK.search(p.text())]
    assert len(abstract) >= 3
    assert all(
        any(a.tag == "div" and a.attrs.get("lang") == "zh" for a in p.ancestors())
        for p in abstract[:2]
    )
