"""The PDF: the whole book as one Typst document, typeset by the `typst` wheel.

Pandoc writes the body into the book's Typst template (`templates/thesis.typ`); this module
first adapts the numbered, cited AST to Typst: each heading is told the number crossref.py
gave it (Typst counts nothing itself, so the PDF and the HTML edition agree), captions get a
short form for the lists of figures and tables, images and equations get the alt text PDF/UA
requires, and sections marked `lang` are set in that language. Fonts come from pip packages
only: Typst's embedded fonts for Latin text; for Chinese, Noto Serif SC (text) and Noto Sans SC
(code) from `pylopdf-fonts-zh-cn`. The file is PDF/A-2b (archival) and PDF/UA-1 (tagged,
accessible) at once.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote

from bookbuild import PACKAGE_DIR
from bookbuild.config.language import book_words
from bookbuild.config.layout import BOOK, Layout, load_layout
from bookbuild.config.page_includes import typst_includes
from bookbuild.config.project import Book
from bookbuild.config.thesis import Thesis, load_short_captions, load_thesis
from bookbuild.document import pandoc
from bookbuild.document.ast import (
    Node,
    RawBlock,
    RawInline,
    copy_of,
    map_inlines,
    stringify,
    walk,
)
from bookbuild.document.chapter import Chapter
from bookbuild.document.conditional import TYPST_NAMES, pdf_names, select
from bookbuild.document.table_options import given_widths
from bookbuild.errors import BuildError, line_holding
from bookbuild.state.memo import Memo, chapter_inputs
from bookbuild.writers import data_images
from bookbuild.writers.caption_locations import caption_locations, chapter_locations, explicit
from bookbuild.writers.fonts import TYPST_ZH_FONTS, cjk_pdf_dir
from bookbuild.writers.rewrites import (
    listing_captions_below,
    rendered_citations,
    rewrite_blocks,
    typst_callouts,
    typst_caption_rules,
    typst_float_kinds,
    typst_html_tables,
    typst_language_spans,
    typst_margins,
    typst_string,
    typst_subfigures,
    typst_tabsets,
)
from bookbuild.writers.short_captions import list_entry
from bookbuild.writers.typography import smart_text, zh_punctuation
from bookbuild.writers.unprintable import drop_control_characters, glyph_error

log = logging.getLogger("bookbuild")

TEMPLATE = PACKAGE_DIR / "writers" / "templates" / "thesis.typ"
# Both standards in one file: the typst wheel checks them together at compile time.
PDF_STANDARDS: tuple[Literal["a-2b", "ua-1"], ...] = ("a-2b", "ua-1")
# Between the front matter and chapter 1: contents and lists, then arabic page numbers.
MAINMATTER = "#contents-and-lists()\n#show: body-matter"
# After each chapter: the figures still floating are set before the chapter ends.
FLUSH_FLOATS = "#place.flush()"
_LENGTH = re.compile(r"^\s*([\d.]+)\s*(%|in|cm|mm|pt|px|em)?\s*$")
# Table type: 9 pt Libertinus Serif, 6 pt cell inset each side (thesis.typ), on the text width
# of the book's layout (config/layout.py; these two for a plain book's). Estimates only: they
# set column proportions, Typst does the real layout.
TABLE_CHAR_PT = 4.4
TABLE_CJK_PT = 9.0
TABLE_PAD_PT = 12.0
_PT_PER_MM = 72 / 25.4
TEXT_WIDTH_PT = BOOK.text_width_mm * _PT_PER_MM
LANDSCAPE_WIDTH_PT = BOOK.landscape_width_mm * _PT_PER_MM  # a page turned sideways
TABLE_SIZE_PT = 9.0  # the template's table type
TABLE_MIN_SIZE_PT = 7.0  # smallest type for a wide table before it gets a landscape page
TABLE_FIT_SHARE = 0.92  # the share of the width the estimates may fill (bold headers, error)
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


# ---- AST adaptations (each works on the PDF's own deep copy of a chapter) -----------------


def _header_number(header: Node) -> str | None:
    """Remove crossref's number span from a heading and return the number ("3.2", "A")."""
    inlines = header["c"][2]
    if inlines and inlines[0]["t"] == "Span" and "header-section-number" in inlines[0]["c"][0][1]:
        number = stringify(inlines[0]["c"][1])
        rest = inlines[1:]
        header["c"][2] = rest[1:] if rest and rest[0]["t"] == "Space" else rest
        return number
    return None


def _skipped_level(header: Node, level: int, chapter: Chapter) -> None:
    """Set a heading that skips a level at `level`, with a warning naming its line."""
    text = stringify(header["c"][2]).strip()
    hashes = "#" * header["c"][0] + " "
    line = next(
        (n for n, ln in enumerate(chapter.source.splitlines(), 1) if ln.startswith(hashes + text)),
        1,
    )
    log.warning(
        "%s:%s: heading level %s follows level %s: the PDF sets it at level %s (an "
        "accessible PDF needs consecutive levels); HTML keeps it",
        chapter.path,
        line,
        header["c"][0],
        level - 1,
        level,
    )
    header["c"][0] = level


def typst_headings(blocks: list[Node], chapter: Chapter) -> list[Node]:
    """Before each heading, a set rule giving it crossref's number and its supplement.

    A heading that skips a level (`###` after `#`) is set one level below the one before it,
    with a warning: an accessible PDF (PDF/UA) requires consecutive levels; HTML keeps it."""
    last = [0]

    def fn(block: Node) -> list[Node]:
        if block.get("t") != "Header":
            return [block]
        number = _header_number(block)
        if block["c"][0] > last[0] + 1:
            _skipped_level(block, last[0] + 1, chapter)
        last[0] = block["c"][0]
        if number is None:
            return [RawBlock("typst", "#set heading(numbering: none)"), block]
        level = block["c"][0]
        kind = ("Appendix" if chapter.appendix else "Chapter") if level == 1 else "Section"
        rule = f"#set heading(numbering: (..) => {typst_string(number)}, supplement: [{kind}])"
        return [RawBlock("typst", rule), block]

    return rewrite_blocks(blocks, fn)


def _lang_rules(lang: str) -> str:
    code, _, region = lang.partition("-")
    args = f"lang: {typst_string(code)}" + (f", region: {typst_string(region)}" if region else "")
    args += f", font: {TYPST_ZH_FONTS}" if code == "zh" else ""
    # Chinese: two-character paragraph indent and a little more leading for the square glyphs
    indent = (
        "\n#set par(first-line-indent: (amount: 2em, all: true), leading: 0.85em)"
        if code == "zh"
        else ""
    )
    return f"#[\n#set text({args}){indent}"


def language_sections(blocks: list[Node]) -> list[Node]:
    """A top-level heading with `lang` sets its whole section (to the next heading of the same
    or a higher level) in that language, so Typst shapes and breaks CJK lines correctly."""
    out: list[Node] = []
    open_level: int | None = None
    for block in blocks:
        if block.get("t") == "Header":
            level = block["c"][0]
            if open_level is not None and level <= open_level:
                out.append(RawBlock("typst", "]"))
                open_level = None
            lang = dict(block["c"][1][2]).get("lang")
            if lang and open_level is None:
                out.append(RawBlock("typst", _lang_rules(lang)))
                open_level = level
        out.append(block)
    if open_level is not None:
        out.append(RawBlock("typst", "]"))
    return out


def front_matter_breaks(blocks: list[Node]) -> list[Node]:
    """In the front matter each second-level section (abstract, acknowledgements) starts a
    page, unless it directly follows the chapter title."""
    out: list[Node] = []
    content_seen = False
    for block in blocks:
        kind = block.get("t")
        if kind == "Header" and block["c"][0] == 2 and content_seen:
            out.append(RawBlock("typst", "#pagebreak(weak: true)"))
        if kind not in ("Header", "RawBlock"):
            content_seen = True
        out.append(block)
    return out


def _caption_number(node: Node) -> tuple[str, str, list[Node]] | None:
    """("Figure 1.1:", "1.1", the rest of the caption) of a numbered figure or table."""
    caption = node["c"][1][1]
    if not caption or caption[0]["t"] not in ("Plain", "Para"):
        return None
    inlines = caption[0]["c"]
    if not (inlines and inlines[0]["t"] == "Span" and "figure-number" in inlines[0]["c"][0][1]):
        return None
    label = stringify(inlines[0]["c"][1])
    number = label.replace("\u00a0", " ").split(" ")[-1].rstrip(":")
    rest = inlines[1:]
    return label, number, rest[1:] if rest and rest[0]["t"] == "Space" else rest


def _after_headings(blocks: list[Node]) -> set[int]:
    """The ids of the figures that directly follow a heading (in `blocks` or a div in it)."""
    found: set[int] = set()
    for before, block in zip([None, *blocks], blocks, strict=False):
        if block.get("t") == "Figure" and before is not None and before.get("t") == "Header":
            found.add(id(block))
        if block.get("t") == "Div":
            found |= _after_headings(block["c"][1])
    return found


_CONTENT = ("Str", "Image", "Code", "CodeBlock", "RawBlock", "RawInline", "Math", "Table")


def empty_floats(blocks: list[Node]) -> list[Node]:
    """A float with nothing in it (`::: {#tbl-x}` then `:::`), which Quarto shows as its
    caption alone, holds an empty artifact in the PDF: PDF/UA refuses a figure with neither
    content nor alt text."""

    def fn(block: Node) -> list[Node]:
        if block.get("t") == "Figure" and not any(
            n.get("t") in _CONTENT for n in walk(block["c"][2])
        ):
            block["c"][2] = [RawBlock("typst", "#pdf.artifact(box())")]
        return [block]

    return rewrite_blocks(blocks, fn)


def numbered_floats(blocks: list[Node], shorts: dict[str, str] | None = None) -> list[Node]:
    """Figures and tables as crossref numbered them: each is told its number (for the lists
    of figures and tables; the caption shows the number from the text), its caption shows
    "Figure 1.1:" in bold, and the lists show its short caption (`short_captions.py`).
    Unnumbered ones stay out of the lists. `shorts`: short captions by label
    (`thesis: short-captions:`).

    A numbered figure floats (`placement: auto`: the top or bottom of this page or the
    next), so one that does not fit where it is leaves no gap; not one directly under a
    heading, which Typst could float above that heading, and not a table or other float held
    in a figure (a `tbl-` div of sub-tables, a `fig-` div around a table): tables stay where
    the text puts them (and Typst would put a floating figure's caption under a table it
    holds, whatever `fig-cap-location` says)."""
    anchored = _after_headings(blocks)

    def fn(block: Node) -> list[Node]:
        if block.get("t") not in ("Figure", "Table"):
            return [block]
        found = _caption_number(block)
        if found is None:
            rule = "#set figure(numbering: none, outlined: false, placement: none)"
            return [RawBlock("typst", rule), block]
        label, number, rest = found
        block["c"][1][1][0]["c"] = [
            RawInline("typst", f"#flex-caption({typst_string(label)})["),
            *rest,
            RawInline("typst", "]["),
            *list_entry(block, rest, (shorts or {}).get(block["c"][0][0])),
            RawInline("typst", "]"),
        ]
        ident = block["c"][0][0]
        floats = (
            block["t"] == "Figure"
            and ident.startswith("fig-")
            and id(block) not in anchored
            and not any(b.get("t") == "Table" for b in block["c"][2])
        )
        rule = (
            f"#set figure(numbering: (..) => {typst_string(number)}, outlined: true, "
            f"placement: {'auto' if floats else 'none'})"
        )
        return [RawBlock("typst", rule), block]

    return rewrite_blocks(blocks, fn)


def _text_width(text: str, size: float = TABLE_SIZE_PT) -> float:
    """Rough width of `text` in table type (pt): CJK characters are square, Latin narrower."""
    scale = size / TABLE_SIZE_PT
    return scale * sum(TABLE_CJK_PT if ord(ch) >= 0x2E80 else TABLE_CHAR_PT for ch in text)


def _widths(layout: Layout) -> tuple[float, float]:
    """The text width of an upright and of a sideways page of `layout`, in pt."""
    return layout.text_width_mm * _PT_PER_MM, layout.landscape_width_mm * _PT_PER_MM


def _longest_words(rows: list[list[str]]) -> list[float]:
    """Each column's longest word, in points of table type."""
    longest = [0.0] * max(len(row) for row in rows)
    for row in rows:
        for col, text in enumerate(row):
            longest[col] = max([longest[col], *(_text_width(w) for w in text.split())])
    return longest


def too_wide(rows: list[list[str]], landscape_width: float = LANDSCAPE_WIDTH_PT) -> str | None:
    """Why a table cannot be set in the PDF at all, or None: its columns' longest words side
    by side do not fit a landscape page even in the smallest type (`TABLE_MIN_SIZE_PT`), so
    Typst would print them past the page's edge."""
    longest = _longest_words(rows)
    need = sum(longest) * TABLE_MIN_SIZE_PT / TABLE_SIZE_PT + len(longest) * TABLE_PAD_PT
    room = TABLE_FIT_SHARE * landscape_width
    if need <= room:
        return None
    return (
        f"a table of {len(longest)} columns is too wide for the PDF: set sideways in "
        f"{TABLE_MIN_SIZE_PT:g} pt type, its columns' longest words need {need:.0f} pt and "
        f"the page holds {room:.0f} pt; split it into narrower tables, or keep it to the "
        'HTML edition (::: {.content-visible when-format="html"})'
    )


def _table_line(rows: list[list[str]], source: str) -> int | None:
    """The source line where a table (its cell texts `rows`) starts, when it can be found:
    the first line holding its first row's first cell text."""
    first = next((text for row in rows for text in row if text.strip()), "")
    return line_holding(source, first.strip()) if first else None


def table_fit(
    rows: list[list[str]], widths: tuple[float, float] = (TEXT_WIDTH_PT, LANDSCAPE_WIDTH_PT)
) -> tuple[float, bool]:
    """(type size, landscape) for a table whose cells hold `rows`, on a page whose text is
    `widths` wide (upright, sideways).

    Lines in a cell break only between words, so a table fits when the longest word of each
    column fits side by side: in table type on the page if it can; else in type reduced to
    no less than `TABLE_MIN_SIZE_PT`; else on a landscape page, reduced there if need be.
    """
    longest = _longest_words(rows)
    words, padding = sum(longest), len(longest) * TABLE_PAD_PT
    for width, landscape in ((widths[0], False), (widths[1], True)):
        room = TABLE_FIT_SHARE * width - padding
        size = TABLE_SIZE_PT * room / words if words else TABLE_SIZE_PT
        if size >= TABLE_SIZE_PT:
            return TABLE_SIZE_PT, landscape
        if size >= TABLE_MIN_SIZE_PT:
            return int(size * 4) / 4, landscape  # quarter points, rounded down
    return TABLE_MIN_SIZE_PT, True


def column_fractions(
    rows: list[list[str]], width: float = TEXT_WIDTH_PT, size: float = TABLE_SIZE_PT
) -> list[float] | None:
    """Column widths as fractions of the text width, or None when the table fits as it is.

    Columns that fit in an equal share keep their natural width (longest cell); the long text
    columns share the rest in proportion to the square root of their natural widths, so a
    column of sentences gets more room than a column of short labels without starving it;
    no column is narrower than its longest word.
    """
    ncols = max(len(row) for row in rows)
    natural = [TABLE_PAD_PT] * ncols
    minimum = [TABLE_PAD_PT] * ncols
    for row in rows:
        for col, text in enumerate(row):
            natural[col] = max(natural[col], _text_width(text, size) + TABLE_PAD_PT)
            longest = max((_text_width(word, size) for word in text.split()), default=0.0)
            minimum[col] = max(minimum[col], longest + TABLE_PAD_PT)
    if sum(natural) <= width:
        return None
    widths = list(natural)
    long = {col for col in range(ncols) if natural[col] > width / ncols}
    while long:
        room = width - sum(widths[col] for col in range(ncols) if col not in long)
        weight = sum(natural[col] ** 0.5 for col in long)
        share = {col: room * natural[col] ** 0.5 / weight for col in long}
        fits = {col for col in long if share[col] >= natural[col]}
        if not fits:
            for col in long:
                widths[col] = share[col]
            break
        long -= fits
    widths = [max(w, m) for w, m in zip(widths, minimum, strict=True)]
    return [w / sum(widths) for w in widths]


def _cell_texts(row: list[Any]) -> list[str]:
    return [stringify(cell[4]) for cell in row[1]]


def _table_rows(table: Node) -> list[list[str]]:
    _attr, _caption, _specs, head, bodies, foot = table["c"]
    rows = [_cell_texts(r) for r in head[1]]
    for body in bodies:
        rows += [_cell_texts(r) for r in body[2] + body[3]]
    return rows + [_cell_texts(r) for r in foot[1]]


def wide_tables(
    blocks: list[Node],
    widths: tuple[float, float] = (TEXT_WIDTH_PT, LANDSCAPE_WIDTH_PT),
    chapter: Chapter | None = None,
) -> list[Node]:
    """Each table too wide for the page in table type (see `table_fit`) set in smaller type,
    or turned sideways (the template's `sideways`: on a float page of its own, or on landscape
    pages when too long for one; only a table at the top level of the chapter: Typst starts
    pages only there; a nested one gets the smallest type instead). A table too wide even so
    (`too_wide`) is refused at its line of `chapter`, not printed past the page's edge."""

    def fit(block: Node, top: bool) -> list[Node]:
        rows = _table_rows(block) if block.get("t") == "Table" else []
        if not rows:
            return [block]
        why = too_wide(rows, widths[1])
        if why is not None:
            path = chapter.path if chapter else None
            raise BuildError(why, path, _table_line(rows, chapter.source) if chapter else None)
        size, landscape = table_fit(rows, widths)
        if size == TABLE_SIZE_PT and not landscape:
            return [block]
        if landscape and not top:
            size = TABLE_MIN_SIZE_PT
        scope = f"#sideways({widths[1]:.2f}pt)[" if landscape and top else "#["
        opening = f"{scope}\n#show table: set text(size: {size:g}pt)"
        return [RawBlock("typst", opening), block, RawBlock("typst", "]")]

    top_level = {id(block) for block in blocks}
    return rewrite_blocks(blocks, lambda block: fit(block, id(block) in top_level))


def table_column_widths(
    blocks: list[Node], widths: tuple[float, float] = (TEXT_WIDTH_PT, LANDSCAPE_WIDTH_PT)
) -> list[Node]:
    """Size table columns from their content (see `column_fractions`): the widths pipe tables
    get from the dashes in the markdown source squeeze long text columns. A wide table's
    columns are sized for the type and page `table_fit` gives it; a table whose widths the
    author gave (`tbl-colwidths`) keeps them."""
    for node in walk(blocks):
        if node["t"] != "Table" or given_widths(node):
            continue
        specs = node["c"][2]
        rows = _table_rows(node)
        fractions = None
        if rows:
            size, landscape = table_fit(rows, widths)
            width = widths[1] if landscape else widths[0]
            fractions = column_fractions(rows, width, size)
        node["c"][2] = [
            [align, {"t": "ColWidth", "c": fraction} if fractions else {"t": "ColWidthDefault"}]
            for (align, _width), fraction in zip(
                specs, fractions or [0.0] * len(specs), strict=True
            )
        ]
    return blocks


def _typst_length(value: str, where: str, line: int | None = None) -> str:
    """An image's width or height as a Typst length (CSS pixels in points; em as it is)."""
    match = _LENGTH.match(value)
    if not match:
        raise BuildError(
            f"image size '{value}' is not a length Typst understands "
            "(use %, in, cm, mm, pt, px or em)",
            where,
            line,
        )
    amount, unit = float(match[1]), match[2] or "px"
    if unit == "px":  # CSS pixels: 96 per inch, 72 points per inch
        return f"{amount * 0.75:g}pt"
    return f"{amount:g}{unit}"


_WEB = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://", re.I)


def _image_source(src: str, where: str, source: str) -> str:
    """The Typst source of an image: its path, or the bytes of a data: URI. An image at a
    web address, or a data: URI the PDF cannot show, is refused at its line of `source`."""
    if data_images.is_data_uri(src):
        try:
            return data_images.typst_source(src)
        except data_images.DataURIError as exc:
            raise BuildError(
                f"image '{src[:40]}...' {exc}", where, line_holding(source, src[:60])
            ) from None
    if _WEB.match(src):
        raise _web_image(src, where, source)
    return typst_string(unquote(src))


def _web_image(src: str, where: str, source: str) -> BuildError:
    """The error for an image the PDF cannot hold: Typst reads local files only."""
    line = line_holding(source, src[:60])
    return BuildError(
        f"image '{src}' is a web address: the PDF (Typst) can only include files of the "
        "project; download the image into the project and name the file",
        where,
        line,
    )


def image_alt_text(blocks: list[Node], where: str, source: str = "") -> list[Node]:
    """Every image as Typst `image(...)` with its alt text; one without is decorative, an
    artifact to PDF/UA (the document stage warned of it at its line). An image at a web
    address is refused at its line of `source` (the HTML edition links it)."""
    figure_images = {
        id(n)
        for f in walk(blocks)
        if f["t"] == "Figure"
        for n in walk(f["c"][2])
        if n["t"] == "Image"
    }

    def fn(node: Node) -> list[Node] | None:
        if node["t"] != "Image":
            return None
        attr, alt_inlines, (src, _title) = node["c"]
        alt = stringify(alt_inlines).strip()
        args = [_image_source(src, where, source)]
        args += [f"alt: {typst_string(alt)}"] if alt else []
        attrs = dict(attr[2])
        for key in ("width", "height"):
            if key in attrs:
                args.append(f"{key}: {_typst_length(attrs[key], where, line_holding(source, src))}")
        call = f"image({', '.join(args)})"
        call = call if id(node) in figure_images else f"box({call})"
        # no alt text: decorative, as `alt=""` in HTML; PDF/UA takes it as an artifact
        return [RawInline("typst", f"#{call}" if alt else f"#pdf.artifact({call})")]

    return map_inlines(blocks, fn)


def _math_with_alt(math: Node) -> list[Node]:
    """Math set with its TeX source as alt text (screen readers; required by PDF/UA)."""
    tex = math["c"][1].strip()
    return [
        RawInline("typst", f"#[#set math.equation(alt: {typst_string(tex)});"),
        math,
        RawInline("typst", "]"),
    ]


def equations(blocks: list[Node]) -> list[Node]:
    """Numbered display equations (crossref's `equation` spans) as an equation with its number
    at the right margin and its label on the equation; all math gets alt text."""

    def numbered(block: Node) -> list[Node]:
        content = block["c"] if block.get("t") == "Para" else None
        if not (
            content
            and len(content) == 1
            and content[0]["t"] == "Span"
            and "equation" in content[0]["c"][0][1]
        ):
            return [block]
        span = content[0]
        label = span["c"][0][0]
        inner = span["c"][1]
        math = inner[0]
        number = stringify(inner[-1]).strip("()")
        tex = dict(span["c"][0][2]).get("aria-label") or math["c"][1].strip()  # alt="..."
        return [
            {
                "t": "Plain",
                "c": [
                    RawInline(
                        "typst",
                        f"#numbered-equation({typst_string(number)})"
                        f"[#set math.equation(alt: {typst_string(tex)});",
                    ),
                    math,
                    RawInline("typst", f" <{label}>]" if label else "]"),
                ],
            }
        ]

    def alt(node: Node) -> list[Node] | None:
        if node["t"] == "Span" and "equation" in node["c"][0][1]:
            return [node]  # numbered: `numbered` adds the alt text around it
        return _math_with_alt(node) if node["t"] == "Math" else None

    return rewrite_blocks(map_inlines(blocks, alt), numbered)


def bibliography_layout(blocks: list[Node]) -> list[Node]:
    """The reference list with hanging indents and no justification."""
    for node in walk(blocks):
        if node["t"] == "Div" and node["c"][0][0] == "refs":
            node["c"][1] = [
                RawBlock(
                    "typst",
                    "#set par(hanging-indent: 1.8em, "
                    "first-line-indent: 0pt, justify: false)\n"
                    "#set block(spacing: 0.75em)",
                ),
                *node["c"][1],
            ]
    return blocks


def chapter_blocks(
    chapter: Chapter,
    front: bool,
    names: frozenset[str] = TYPST_NAMES,
    locations: dict[str, str] | None = None,
    layout: Layout = BOOK,
    shorts: dict[str, str] | None = None,
) -> list[Node]:
    """One chapter's blocks adapted for Typst (on a deep copy: the HTML edition is untouched);
    `names`: the `when-format` values the PDF matches; `locations`: the PDF's caption places
    when not Quarto's defaults (`caption_locations`); `layout`: the page tables are sized for;
    `shorts`: short captions by label for the lists of figures and tables."""
    blocks = drop_control_characters(select(copy_of(chapter.blocks), names), chapter)
    blocks = typst_html_tables(blocks)
    blocks = listing_captions_below(zh_punctuation(rendered_citations(blocks)), locations or {})
    widths = _widths(layout)
    text_height = layout.text_height_mm * _PT_PER_MM
    blocks = typst_float_kinds(typst_subfigures(blocks, text_height))
    blocks = wide_tables(table_column_widths(blocks, widths), widths, chapter)
    blocks = numbered_floats(empty_floats(blocks), shorts)
    blocks = image_alt_text(blocks, str(chapter.path), chapter.source)
    blocks = equations(blocks)
    blocks = typst_margins(typst_callouts(typst_tabsets(blocks)))
    blocks = typst_language_spans(blocks)
    blocks = bibliography_layout(blocks)
    blocks = typst_headings(blocks, chapter)
    blocks = language_sections(blocks)
    if front:
        blocks = front_matter_breaks(blocks)
    return blocks


# ---- the document ---------------------------------------------------------------------


def _raw_meta(code: str) -> dict[str, Any]:
    """A metadata value pandoc pastes into the template as Typst code, unescaped."""
    return {"t": "MetaInlines", "c": [RawInline("typst", code)]}


def _meta_string(text: str) -> dict[str, Any]:
    return {"t": "MetaString", "c": text}


def thesis_metadata(thesis: Thesis | None) -> dict[str, Any]:
    """Template variables for the thesis's title page and declaration (none for a plain
    book, whose title page shows only its title, authors and date)."""
    if thesis is None:
        return {}
    label = "Supervisor" if len(thesis.supervisors) == 1 else "Supervisors"

    def text(value: str) -> dict[str, Any]:
        return _meta_string(smart_text(value))

    return {
        "thesis-kind": text(thesis.kind),
        "institution": text(thesis.institution),
        "faculty": text(thesis.faculty),
        "degree": text(thesis.degree),
        "supervisor-label": text(label),
        "supervisor": {"t": "MetaList", "c": [text(s) for s in thesis.supervisors]},
        "year": text(thesis.year),
        "licence": text(thesis.licence),
        "declaration": text(thesis.declaration),
    }


def layout_metadata(layout: Layout) -> dict[str, Any]:
    """Template variables for the page, the type and the chapter openings (Typst code)."""
    inner, outer = ("inside", "outside") if layout.two_sided else ("left", "right")
    margin = (
        f"(top: {layout.top:g}mm, bottom: {layout.bottom:g}mm, "
        f"{inner}: {layout.inner:g}mm, {outer}: {layout.outside:g}mm)"
    )
    return {
        "papersize": _raw_meta(typst_string(layout.paper)),
        "page-margin": _raw_meta(margin),
        "top-margin": _raw_meta(f"{layout.top:g}mm"),
        "text-width": _raw_meta(f"{layout.text_width_mm:g}mm"),
        "text-height": _raw_meta(f"{layout.text_height_mm:g}mm"),
        "fontsize": _raw_meta(f"{layout.fontsize:g}pt"),
        "leading": _raw_meta(f"{layout.leading_em:g}em"),
        "two-sided": _raw_meta("true" if layout.two_sided else "false"),
        "open-right": _raw_meta("true" if layout.chapters_open == "right" else "false"),
    }


def typst_metadata(book: Book) -> dict[str, Any]:
    """Template variables: markup for the title page, Typst strings for `set document`."""
    # the archive's title includes the subtitle, as a library catalogue would
    full_title = f"{book.title}: {book.subtitle}" if book.subtitle else book.title
    # `format: typst: keywords`, or the document-level `keywords:` (where Quarto's schema
    # puts the option: it lists no `keywords` for its typst format)
    keywords = book.pdf.get("keywords") or book.metadata.get("keywords") or []
    if isinstance(keywords, str):
        keywords = [k.strip() for k in keywords.split(",") if k.strip()]
    return {
        **thesis_metadata(load_thesis(book)),
        "title": _meta_string(book.title),
        "subtitle": _meta_string(book.subtitle),
        "author": {"t": "MetaList", "c": [_meta_string(smart_text(a)) for a in book.authors]},
        "date": _meta_string(book.date),
        "lang": _meta_string(book.lang),
        **layout_metadata(load_layout(book.root)),
        "pdf-title": _raw_meta(typst_string(full_title)),
        "pdf-author": {"t": "MetaList", "c": [_raw_meta(typst_string(a)) for a in book.authors]},
        "pdf-keywords": {"t": "MetaList", "c": [_raw_meta(typst_string(str(k))) for k in keywords]},
        **_list_titles(book),
    }


def _list_titles(book: Book) -> dict[str, Any]:
    """The contents' and lists' titles `language:` gives (the template's own without)."""
    words = book_words(book.root)
    named = {
        "contents-title": "toc-title-document",
        "lof-title": "crossref-lof-title",
        "lot-title": "crossref-lot-title",
    }
    return {var: _meta_string(words[key]) for var, key in named.items() if key in words}


def chapter_typst(
    chapter: Chapter,
    front: bool,
    api: list[int],
    root: Path,
    names: frozenset[str] = TYPST_NAMES,
    locations: dict[str, str] | None = None,
    layout: Layout = BOOK,
    shorts: dict[str, str] | None = None,
) -> str:
    """One chapter as Typst markup (Pandoc's Typst writer, no template)."""
    blocks = chapter_blocks(chapter, front, names, locations, layout, shorts)
    ast = {"pandoc-api-version": api, "meta": {}, "blocks": blocks}
    return pandoc.ast_to(ast, "typst", root, str(chapter.path), "--wrap=none")


def _check_labels(
    configured: dict[str, tuple[str, int]], chapters: list[Chapter], book: Book
) -> None:
    """A short caption for a label no figure or table of the book has is an error."""
    labels = {
        node["c"][0][0]
        for chapter in chapters
        for node in walk(chapter.blocks)
        if node["t"] in ("Figure", "Table")
    }
    for label, (_text, line) in configured.items():
        if label not in labels:
            raise BuildError(
                f"thesis: short-captions: no figure or table is labelled '{label}'",
                book.config_path,
                line,
            )


def typst_source(
    book: Book, chapters: list[Chapter], api: list[int], memo: Memo | None = None, jobs: int = 1
) -> str:
    """The whole book as Typst markup: front matter, contents and lists, body, appendices.

    Chapters are converted one by one, `jobs` at a time (with a `memo`, only those that
    changed since the last build), and joined into the template's body.
    """
    memo = memo or Memo(None)
    names = pdf_names(book.config_path)
    locations = caption_locations(book.pdf, book.metadata)
    layout = load_layout(book.root)
    configured = load_short_captions(book)
    _check_labels(configured, chapters, book)
    shorts = {label: text for label, (text, _line) in configured.items()}
    pieces: list[str | tuple[Chapter, bool]] = []  # Typst markup, or (chapter, in front matter)
    if typst_caption_rules(locations):
        pieces.append(typst_caption_rules(locations))
    body_started = False
    part: str | None = None
    parts_seen = 0
    for chapter in chapters:
        first_numbered = bool(chapter.number) and not body_started
        if first_numbered:
            pieces.append(MAINMATTER)
            body_started = True
        if chapter.part and chapter.part != part and body_started:
            roman = _ROMAN[parts_seen] if parts_seen < len(_ROMAN) else str(parts_seen + 1)
            pieces.append(f"#part-page({typst_string(roman)}, {typst_string(chapter.part)})")
            parts_seen += 1
        if first_numbered:  # page 1 is the opening page of chapter 1, after any part page
            pieces.append("#counter(page).update(1)")
        part = chapter.part
        own = chapter_locations(locations, book.metadata, chapter.meta)
        if own != locations:  # the chapter's front matter moves its captions: for it alone
            pieces.append(typst_caption_rules(explicit(own)))
        pieces.append((chapter, not body_started))
        pieces.append(FLUSH_FLOATS)
        if own != locations:
            pieces.append(typst_caption_rules(explicit(locations)))
    if not body_started:
        pieces.append(MAINMATTER)

    def convert(piece: str | tuple[Chapter, bool]) -> str:
        if isinstance(piece, str):
            return piece
        chapter, front = piece
        own = chapter_locations(locations, book.metadata, chapter.meta)
        return memo(
            "typst",
            str(chapter.path),
            [
                chapter_inputs(chapter),
                front,
                api,
                sorted(names),
                *([own] if own else []),
                _widths(layout),
                shorts,
            ],
            lambda: chapter_typst(chapter, front, api, book.root, names, own, layout, shorts),
        )

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:  # Pandoc runs in parallel
        body = "\n\n".join(text.strip("\n") for text in pool.map(convert, pieces))
    includes = typst_includes(book.root)
    body = includes.get("include-before-body", "") + body
    if "include-after-body" in includes:
        body += "\n\n" + includes["include-after-body"]
    header = includes.get("include-in-header")
    ast = {
        "pandoc-api-version": api,
        "meta": {
            **typst_metadata(book),
            **({"header-includes": _raw_meta(header.rstrip("\n"))} if header else {}),
        },
        "blocks": [RawBlock("typst", body)],
    }
    return pandoc.ast_to(
        ast, "typst", book.root, "the PDF", "--template", str(TEMPLATE), "--wrap=none"
    )


# One Typst compiler per process, kept between compiles: Typst remembers what it laid out,
# so a process that typesets the book again (the preview's background worker) redoes only
# what changed — after a one-paragraph edit a fraction of a cold compile (docs/benchmarks.md),
# the same bytes (tests/test_typst_warm.py). One compile at a time: it is not reentrant.
_COMPILERS: dict[str, Any] = {}
_COMPILER_LOCK = threading.Lock()


def _compiler(fonts: Path, typ: Path, workdir: Path) -> Any:
    """The process's Typst compiler for the font folder `fonts` (system fonts ignored)."""
    import typst

    key = str(fonts)
    if key not in _COMPILERS:
        _COMPILERS[key] = typst.Compiler(
            str(typ), root=str(workdir), font_paths=[key], ignore_system_fonts=True
        )
    return _COMPILERS[key]


def compile_pdf(
    source: str, workdir: Path, output: Path, epoch: int, chapters: Sequence[Chapter] = ()
) -> None:
    """Typeset `source` (images relative to `workdir`) into `output`, dated `epoch` (s since
    1970), as PDF/A-2b and PDF/UA-1, with system fonts ignored so every machine agrees.

    A font Typst cannot find is an error, not a warning: it would print the wrong glyphs or
    empty boxes. A character no font has is an error at its line in `chapters`' sources.
    """
    fonts = cjk_pdf_dir()
    typ = workdir / "thesis.typ"
    typ.write_text(source, "utf-8")
    try:
        with _COMPILER_LOCK:
            _, warnings = _compiler(fonts, typ, workdir).compile_with_warnings(
                input=str(typ),
                output=str(output),
                root=str(workdir),
                pdf_standards=list(PDF_STANDARDS),
                timestamp=epoch,
            )
    except Exception as exc:  # typst.TypstError: `diagnostic` has the source excerpt
        detail = str(getattr(exc, "diagnostic", None) or exc)
        raise glyph_error(detail, list(chapters)) or BuildError(
            "Typst could not typeset the PDF", detail=detail
        ) from None
    finally:
        typ.unlink(missing_ok=True)
    missing = [str(w) for w in warnings if "font" in str(w)]
    if missing:
        output.unlink(missing_ok=True)
        raise BuildError(
            f"the PDF needs a font Typst cannot find (fonts are read from {fonts} "
            "and Typst's own set)",
            detail="\n".join(missing),
        )
