"""Smart punctuation for text the build sets itself (title page fields from `_quarto.yml`):
the same curly quotes, apostrophes and dashes Pandoc's `smart` extension gives the body."""

from __future__ import annotations

import re

_RULES = (
    (re.compile(r"---"), "\u2014"),  # em dash
    (re.compile(r"--"), "\u2013"),  # en dash
    (re.compile(r"(?<=\w)'(?=\w)"), "\u2019"),  # apostrophe: author's
    (re.compile(r"(^|(?<=[\s(\[{\u2014\u2013]))'"), "\u2018"),  # opening single quote
    (re.compile(r"'"), "\u2019"),  # closing single quote
    (re.compile(r"(^|(?<=[\s(\[{\u2014\u2013]))\""), "\u201c"),  # opening double quote
    (re.compile(r"\""), "\u201d"),  # closing double quote
)


def smart_text(text: str) -> str:
    """`text` with straight quotes and `--`/`---` replaced by typographic ones."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text
