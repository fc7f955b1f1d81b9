"""Word boxes and page geometry of a built PDF, for the layout tests (not a test module).

`pdftotext -bbox` gives every word's box in points from the top-left corner; the PDF's
bookmarks (pypdf) say on which page each chapter and part begins.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from html import unescape
from pathlib import Path

MM = 72 / 25.4  # points per millimetre

_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)


@dataclass(frozen=True)
class Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


@dataclass(frozen=True)
class Page:
    number: int  # physical, from 1
    width: float
    height: float
    words: tuple[Word, ...]

    def body(self, top: float, bottom: float) -> list[Word]:
        """The words inside the text area (between the top and bottom margins, in pt)."""
        return [w for w in self.words if w.y0 >= top - 1 and w.y1 <= self.height - bottom + 1]


def pages(pdf: Path, first: int | None = None, last: int | None = None) -> list[Page]:
    """Every page of `pdf` (or pages `first` to `last`) with its word boxes."""
    args = ["pdftotext", "-bbox"]
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    out = subprocess.run([*args, str(pdf), "-"], capture_output=True, text=True, check=True)
    start = first or 1
    return [
        Page(
            start + index,
            float(width),
            float(height),
            tuple(
                Word(float(a), float(b), float(c), float(d), unescape(t))
                for a, b, c, d, t in _WORD.findall(body)
            ),
        )
        for index, (width, height, body) in enumerate(_PAGE.findall(out.stdout))
    ]


def top_level_pages(pdf: Path) -> dict[str, int]:
    """Each top-level bookmark (chapters, parts, contents) with its physical page (from 1)."""
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    found: dict[str, int] = {}
    for item in reader.outline:
        if isinstance(item, list):
            continue
        found[str(item.title)] = reader.get_destination_page_number(item) + 1
    return found
