"""Smart punctuation for text the build sets itself (title page fields from `_quarto.yml`):
the same curly quotes, apostrophes and dashes Pandoc's `smart` extension gives the body; and
Chinese punctuation in Chinese text, in both editions.

Quotation marks follow the language. English and Simplified Chinese share the code points
“ ” ‘ ’ (GB/T 15834-2011; in Chinese text the CJK face draws them full width, which
`fonts.TYPST_ZH_FONTS` and the HTML's Chinese subset see to), while Traditional Chinese
(zh-TW, zh-HK, zh-Hant) takes corner brackets 「 」 『 』, as Typst's smart quotes do for
those regions. After Chinese text, a comma, colon, semicolon, question or exclamation mark
is the full-width one, with no space after it (the full-width glyph holds its own space),
and parentheses around Chinese text are full width: `zh_punctuation` applies this to every
passage marked `lang="zh"` (spans, divs and the sections under a heading with `lang`).
"""

from __future__ import annotations

import re
from typing import Any

from bookbuild.document.ast import Node

_DASHES = (
    (re.compile(r"---"), "\u2014"),  # em dash
    (re.compile(r"--"), "\u2013"),  # en dash
)
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")  # author's
_OPENS_AFTER = r"(^|(?<=[\s(\[{\u2014\u2013\u3000-\u303f\uff08]))"
_OPEN_SINGLE = re.compile(_OPENS_AFTER + "'")
_OPEN_DOUBLE = re.compile(_OPENS_AFTER + '"')
# (opening double, closing double, opening single, closing single)
QUOTES = {
    "en": ("\u201c", "\u201d", "\u2018", "\u2019"),
    "zh": ("\u201c", "\u201d", "\u2018", "\u2019"),
    "zh-traditional": ("\u300c", "\u300d", "\u300e", "\u300f"),
}
_TRADITIONAL = {"tw", "hk", "mo", "hant"}
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e"
_FULL_WIDTH = {",": "\uff0c", ":": "\uff1a", ";": "\uff1b", "!": "\uff01", "?": "\uff1f"}
_AFTER_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]*([,:;!?])[ \t]*")
_PARENS = re.compile(rf"\(([^()]*[{_CJK}][^()]*)\)")
_ENDS_FULL_WIDTH = (*_FULL_WIDTH.values(), "\uff09")


def quotes_for(lang: str) -> tuple[str, str, str, str]:
    """The quotation marks of `lang` (a BCP 47 tag such as "en", "zh-CN", "zh-TW")."""
    code, *subtags = lang.lower().replace("_", "-").split("-")
    if code == "zh":
        return QUOTES["zh-traditional" if _TRADITIONAL & set(subtags) else "zh"]
    return QUOTES["en"]


def cjk_punctuation(text: str) -> str:
    """`text` with full-width punctuation after Chinese characters and around Chinese text in
    parentheses: "政策:设计 (试点)" -> "政策：设计（试点）"."""
    text = _PARENS.sub(lambda m: "\uff08" + m[1] + "\uff09", text)
    return _AFTER_CJK.sub(lambda m: _FULL_WIDTH[m[1]], text)


def smart_text(text: str, lang: str = "en") -> str:
    """`text` with straight quotes and `--`/`---` replaced by typographic ones; the quotes are
    those of `lang`, and Chinese text (`lang` "zh...") gets its full-width punctuation."""
    for pattern, replacement in _DASHES:
        text = pattern.sub(replacement, text)
    open_double, close_double, open_single, close_single = quotes_for(lang)
    if lang.lower().startswith("zh"):
        # Chinese has no spaces to tell an opening quote from a closing one: they alternate
        text = _alternate(text, '"', open_double, close_double)
        return cjk_punctuation(_alternate(text, "'", open_single, close_single))
    text = _APOSTROPHE.sub("\u2019", text)
    text = _OPEN_SINGLE.sub(open_single, text).replace("'", close_single)
    return _OPEN_DOUBLE.sub(open_double, text).replace('"', close_double)


def _alternate(text: str, mark: str, opening: str, closing: str) -> str:
    parts = text.split(mark)
    out = [parts[0]]
    for i, part in enumerate(parts[1:]):
        out += [closing if i % 2 else opening, part]
    return "".join(out)


_ATTRS_AT = {"Div": 0, "Span": 0, "Header": 1}
_OPAQUE = {"Code", "CodeBlock", "RawInline", "RawBlock", "Math", "Image"}


def _is_zh(node: Node) -> bool:
    at = _ATTRS_AT.get(node.get("t", ""))
    return at is not None and dict(node["c"][at][2]).get("lang", "").lower().startswith("zh")


def _inlines(items: list[Any]) -> list[Any]:
    """Chinese punctuation in a list of inlines; a space after a full-width mark goes."""
    out: list[Any] = []
    for item in items:
        if (
            isinstance(item, dict)
            and item.get("t") in ("Space", "SoftBreak")
            and out
            and isinstance(out[-1], dict)
            and out[-1].get("t") == "Str"
            and out[-1]["c"].endswith(_ENDS_FULL_WIDTH)
        ):
            continue
        out.append(_punctuate(item, True))
    return out


def _punctuate(value: Any, inside: bool) -> Any:
    if isinstance(value, list):
        if inside and any(isinstance(v, dict) and v.get("t") == "Str" for v in value):
            return _inlines(value)
        return [_punctuate(v, inside) for v in value]
    if not isinstance(value, dict) or "t" not in value or value["t"] in _OPAQUE:
        return value
    if value["t"] == "Str":
        return {"t": "Str", "c": cjk_punctuation(value["c"])} if inside else value
    if "c" in value:
        return {**value, "c": _punctuate(value["c"], inside or _is_zh(value))}
    return value


def zh_punctuation(blocks: list[Node]) -> list[Node]:
    """`blocks` (a copy) with Chinese punctuation in every passage marked `lang="zh"`: spans,
    divs, and the section under a heading with `lang` (to the next heading of its level)."""
    out: list[Node] = []
    section: int | None = None  # level of the open Chinese section's heading
    for block in blocks:
        if block.get("t") == "Header":
            level = block["c"][0]
            if section is not None and level <= section:
                section = None
            if section is None and _is_zh(block):
                section = level
        out.append(_punctuate(block, section is not None))
    return out
