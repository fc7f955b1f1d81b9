"""Chinese punctuation: quotation marks by language, full-width marks after Chinese text, and
both editions of the thesis set that way.

Units: `typography.smart_text` and `cjk_punctuation` on strings, `zh_punctuation` on a Pandoc
AST (spans, divs, a section under a heading with `lang`; English text untouched). Editions:
the HTML's Chinese passages have no ASCII mark after a Chinese character, its Chinese subset
carries the quotation marks, and the PDF draws the quotation marks of the Chinese abstract
with the CJK face (full width) while English quotes stay in Libertinus Serif.
"""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import pytest
from bookbuild_helpers import pdf_text
from fontTools.ttLib import TTFont
from test_browser import browser_binaries, driver  # noqa: F401

from bookbuild.writers.typography import (
    cjk_punctuation,
    quotes_for,
    smart_text,
    zh_punctuation,
)

REPO = Path(__file__).resolve().parents[1]
BOOK = REPO / "_book"
ASCII_AFTER_CJK = re.compile(r"[\u3400-\u9fff][,:;!?]")


def _built(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"no built edition ({path.relative_to(REPO)}): run `make` first")
    return path


# ---- units ----------------------------------------------------------------------------------


def test_quotes_follow_the_language():
    assert quotes_for("en") == ("\u201c", "\u201d", "\u2018", "\u2019")
    assert quotes_for("zh") == quotes_for("zh-CN") == quotes_for("zh-Hans") == quotes_for("en")
    assert quotes_for("zh-TW") == quotes_for("zh-Hant-HK") == ("「", "」", "『", "』")
    assert smart_text("\"precise\" and 'shared'") == "\u201cprecise\u201d and \u2018shared\u2019"
    assert smart_text('帮扶"不均衡"', "zh-TW") == "帮扶「不均衡」"
    assert smart_text("the author's -- 2017--2019 --- end") == (
        "the author\u2019s \u2013 2017\u20132019 \u2014 end"
    )


def test_chinese_text_takes_full_width_marks():
    assert cjk_punctuation("政策: 设计, 队伍; 好? 是!") == "政策：设计，队伍；好？是！"
    assert cjk_punctuation("兰考 (试点县) 和 (2016年)") == "兰考 （试点县） 和 （2016年）"
    assert cjk_punctuation("Time: 10, ratio (1:2)") == "Time: 10, ratio (1:2)"  # Latin: as is
    assert cjk_punctuation("1.27% 以下") == "1.27% 以下"
    assert smart_text('关键词: "共享发展"', "zh") == "关键词：\u201c共享发展\u201d"


def _str(text: str) -> dict:
    return {"t": "Str", "c": text}


SPACE = {"t": "Space"}


def test_only_passages_marked_chinese_are_changed():
    span = {"t": "Span", "c": [["", [], [["lang", "zh"]]], [_str("兰考脱贫之后:"), _str("光环")]]}
    english = {"t": "Para", "c": [_str("(精准扶贫,"), SPACE, _str("jīngzhǔn)"), SPACE, span]}
    section = [
        {"t": "Header", "c": [1, ["abs", [], [["lang", "zh"]]], [_str("中文摘要")]]},
        {"t": "Para", "c": [_str("贫困,"), SPACE, _str("是")]},
        {"t": "Header", "c": [1, ["next", [], []], [_str("Abstract")]]},
        {"t": "Para", "c": [_str("贫困,"), SPACE, _str("是")]},
    ]
    out = zh_punctuation([english, *section])
    assert out[0]["c"][:4] == english["c"][:4]  # English sentence around a term: ASCII marks
    assert out[0]["c"][4]["c"][1][0] == _str("兰考脱贫之后：")
    assert out[2]["c"] == [_str("贫困，"), _str("是")]  # the space after the mark goes
    assert out[4]["c"] == [_str("贫困,"), SPACE, _str("是")]  # past the Chinese section
    assert english["c"][4]["c"][1][0] == _str("兰考脱贫之后:")  # the input is not changed


# ---- the editions ---------------------------------------------------------------------------


def _chinese_passages(page: str) -> list[str]:
    """The text of every element marked lang="zh" (innermost spans and the abstract's div)."""
    found = re.findall(r'<(span|div|section)\b[^>]*\blang="zh"[^>]*>(.*?)</\1>', page, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", body)) for _, body in found]


def test_html_chinese_passages_have_full_width_punctuation():
    pages = sorted(_built(BOOK).glob("*.html"))
    passages = [text for page in pages for text in _chinese_passages(page.read_text("utf-8"))]
    assert len(passages) > 30
    bad = [p for p in passages if ASCII_AFTER_CJK.search(p)]
    assert not bad, bad[:3]
    sources = (BOOK / "03-lankao.html").read_text("utf-8")
    assert '<span lang="zh">《兰考脱贫之后：“光环”下的压力》</span>' in sources
    assert '<span lang="zh">您所在的乡镇：</span>Township' in (
        BOOK / "a-questionnaires.html"
    ).read_text("utf-8")


def test_html_chinese_subset_draws_the_quotation_marks():
    subset = _built(BOOK / "assets" / "fonts" / "noto-sans-sc-subset.woff2").read_bytes()
    cmap = TTFont(io.BytesIO(subset)).getBestCmap()
    assert {ord(c) for c in "\u201c\u201d\u2018\u2019不均衡"} <= set(cmap)
    css = (BOOK / "assets" / "fonts" / "cjk.css").read_text("utf-8")
    assert ':lang(zh) { font-family: "Noto Sans SC (subset)"' in css


def test_pdf_chinese_text_has_full_width_punctuation():
    text = pdf_text(_built(BOOK / "thesis.pdf")).replace(" ", "")  # lines break anywhere
    assert "兰考脱贫之后：“光环”下的压力" in text
    assert "您所在的乡镇：Township" in text
    assert "帮扶“不均衡”、考核监督机制" in text


def test_pdf_sets_chinese_quotes_in_the_cjk_face_and_english_ones_in_libertinus():
    from pypdf import PdfReader

    reader = PdfReader(_built(BOOK / "thesis.pdf"))
    runs: list[tuple[str, str]] = []

    def visit(text, _cm, _tm, font, _size):
        if text.strip() and font:
            runs.append((text, str(font.get("/BaseFont"))))

    for page in reader.pages[:12]:  # the front matter: the abstracts
        page.extract_text(visitor_text=visit)
    chinese = [font for text, font in runs if "“不均衡”" in text]
    assert chinese and all("NotoSerifSC" in font for font in chinese)
    english = [font for text, font in runs if re.search(r"\u201c[A-Za-z]", text)]
    assert english and all("Libertinus" in font for font in english)


@pytest.mark.browser
def test_chromium_sets_the_abstracts_chinese_quotes_full_width(driver):  # noqa: F811
    """In the HTML edition a quotation mark in Chinese text is one em wide (the CJK face);
    in English text it is a narrow Latin glyph."""
    driver.get(_built(BOOK / "index.html").as_uri())
    widths = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        document.fonts.ready.then(() => {
          const measure = (root) => {
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
              const at = node.data.indexOf('\\u201c');
              if (at < 0) continue;
              const range = document.createRange();
              range.setStart(node, at);
              range.setEnd(node, at + 1);
              const size = parseFloat(getComputedStyle(node.parentElement).fontSize);
              return range.getBoundingClientRect().width / size;
            }
            return null;
          };
          const quoted = [...document.querySelectorAll('p')]
            .filter(p => p.textContent.includes('\\u201c'));
          const zh = quoted.find(p => p.closest('[lang="zh"]'));
          const en = quoted.find(p => !p.closest('[lang="zh"]'));
          done({zh: zh && measure(zh), en: en && measure(en)});
        });
        """
    )
    assert widths["zh"] == pytest.approx(1.0, abs=0.05)
    assert widths["en"] < 0.6  # the English abstract's “waiting and relying”
