"""A check on the typeset PDF: no text printed over other text.

Reads the word boxes poppler's `pdftotext -raw -bbox` reports (words in the order the page
draws them, so a table cell whose text runs on under the next cell stays two words instead of
being merged into one) and reports every pair of words on a page whose boxes overlap.
Boxes of adjacent lines touch at their ascenders and descenders, so two words overlap only if
they share more than half the height of the shorter one and more than `TOLERANCE_PT` of width.
poppler gives each glyph its full advance, but a typesetter tucks punctuation in: a closing
quote kerned over a full stop, full-width Chinese punctuation set at half width. So the part of
an overlap that punctuation at the touching ends of the two words can account for (an
average character's width each) is allowed.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from bookbuild.errors import BuildError

TOLERANCE_PT = 0.5  # kerning and italic overhang stay below this


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Word) -> bool:
        width = min(self.x1, other.x1) - max(self.x0, other.x0)
        height = min(self.y1, other.y1) - max(self.y0, other.y0)
        shorter = min(self.y1 - self.y0, other.y1 - other.y0)
        if width <= TOLERANCE_PT or height <= 0.5 * shorter:
            return False
        tucked = self.char_width * _punctuation(
            reversed(self.text)
        ) + other.char_width * _punctuation(other.text)
        return width > tucked + TOLERANCE_PT

    @property
    def char_width(self) -> float:
        return (self.x1 - self.x0) / max(1, len(self.text))


def _punctuation(chars: Iterable[str]) -> int:
    """How many punctuation characters `chars` begins with."""
    count = 0
    for char in chars:
        if not unicodedata.category(char).startswith("P"):
            break
        count += 1
    return count


@dataclass(frozen=True)
class Overlap:
    page: int  # 1-based, as a PDF viewer counts
    first: Word
    second: Word

    def __str__(self) -> str:
        return (
            f"page {self.page}: '{self.first.text}' overlaps '{self.second.text}' "
            f"at x = {self.first.x0:.0f}–{self.first.x1:.0f} pt, "
            f"y = {self.first.y0:.0f} pt"
        )


class _Boxes(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pages: list[list[Word]] = []
        self._word: dict[str, str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "page":
            self.pages.append([])
        elif tag == "word":
            self._word = {k: v or "" for k, v in attrs}
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._word is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "word" and self._word is not None:
            box = self._word
            self.pages[-1].append(
                Word(
                    "".join(self._text),
                    float(box["xmin"]),
                    float(box["ymin"]),
                    float(box["xmax"]),
                    float(box["ymax"]),
                )
            )
            self._word = None


def word_boxes(pdf: Path) -> list[list[Word]]:
    """The words of each page with their boxes (pt from the top left), in drawing order."""
    if shutil.which("pdftotext") is None:
        raise BuildError(
            "checking the PDF for overlapping text needs pdftotext (poppler-utils)", pdf
        )
    result = subprocess.run(
        ["pdftotext", "-raw", "-bbox", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BuildError(f"pdftotext could not read the PDF: {result.stderr.strip()}", pdf)
    parser = _Boxes()
    parser.feed(result.stdout)
    parser.close()
    return parser.pages


def _turned(word: Word) -> Word | None:
    """A word set a quarter turn anticlockwise (a sideways table: its box taller than wide,
    reading up the page) in coordinates where it reads left to right; None for another."""
    if len(word.text) < 2 or word.y1 - word.y0 <= word.x1 - word.x0:
        return None
    return Word(word.text, -word.y1, word.x0, -word.y0, word.x1)


def _pairs(words: list[Word]) -> list[tuple[Word, Word]]:
    """The pairs of `words` (on one page) printed over each other."""
    found = []
    words = sorted(words, key=lambda w: w.x0)
    for i, word in enumerate(words):
        for other in words[i + 1 :]:
            if other.x0 >= word.x1 - TOLERANCE_PT:
                break  # sorted by left edge: no later word reaches back over this one
            if word.overlaps(other):
                found.append((word, other))
    return found


def overlaps(pdf: Path) -> list[Overlap]:
    """Every pair of words printed over each other, page by page; words turned sideways are
    also compared along their own lines (turned back to read left to right)."""
    found: list[Overlap] = []
    for number, words in enumerate(word_boxes(pdf), start=1):
        found += [Overlap(number, *pair) for pair in _pairs(words)]
        turned = {t: w for w in words if (t := _turned(w)) is not None}
        for first, second in _pairs(list(turned)):
            pair = (turned[first], turned[second])
            if not any(o.page == number and {o.first, o.second} == set(pair) for o in found):
                found.append(Overlap(number, *pair))
    return found


def check_no_overlaps(pdf: Path) -> None:
    """Stop with a message listing the first overlaps if any text is printed over text."""
    found = overlaps(pdf)
    if found:
        raise BuildError(
            f"{len(found)} pair(s) of words overlap in the PDF (a table too wide for its columns?)",
            pdf,
            detail="\n".join(str(o) for o in found[:10]),
        )
