"""Format-specific rewrites of the numbered, cited AST (callouts, language spans, links)."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bookbuild.document import pandoc
from bookbuild.document.ast import (
    Div,
    Link,
    Node,
    RawBlock,
    RawInline,
    Str,
    attr_of,
    copy_of,
    map_inlines,
    stringify,
    walk,
)
from bookbuild.document.callouts import (  # noqa: F401 (hoist_callout_titles: build.py)
    CALLOUT_TITLES,
    Callout,
    callout_of,
    hoist_callout_titles,
    title_inlines,
)
from bookbuild.document.custom_kinds import float_kind, without_marks
from bookbuild.document.layout import ROWS, SUBFIGURE, TABLE_PANEL, is_margin, subfigure_rows
from bookbuild.document.tabsets import Tab, is_tabset, split_tabs
from bookbuild.writers.fonts import TYPST_ZH_FONTS
from bookbuild.writers.html_floats import listing_location


def rewrite_blocks(blocks: list[Node], fn: Callable[[Node], list[Node]]) -> list[Node]:
    """Apply `fn` to every block list, bottom up; `fn(block)` returns a list of blocks."""
    out: list[Node] = []
    for block in blocks:
        if block.get("t") == "Div":
            block["c"][1] = rewrite_blocks(block["c"][1], fn)
        elif block.get("t") in ("BlockQuote",):
            block["c"] = rewrite_blocks(block["c"], fn)
        elif block.get("t") in ("BulletList",):
            block["c"] = [rewrite_blocks(item, fn) for item in block["c"]]
        elif block.get("t") == "OrderedList":
            block["c"][1] = [rewrite_blocks(item, fn) for item in block["c"][1]]
        out.extend(fn(block))
    return out


MARGIN_CONTAINER = "tabset-margin-container"


def _split_margins(blocks: list[Node]) -> tuple[list[Node], list[Node]]:
    """(the other blocks, the margin content divs) of a tab's or a callout's top level."""
    margins = [b for b in blocks if b.get("t") == "Div" and is_margin(b)]
    return [b for b in blocks if not any(b is m for m in margins)], margins


def _margin_content(ident: str, margins: list[Node], shown: bool, collapse: bool) -> Node:
    """Quarto's `.tabset-margin-content` (in a `.tabset-margin-container`): the margin
    content of a tab pane or collapsible callout moved beside it, out of the hidden pane or
    closed callout, where it could not show next to its text; `book.js` shows it with its
    tab or open callout (`collapse`: a callout's, `show` while open)."""
    classes = ["tabset-margin-content", *(["collapse"] if collapse else [])]
    if collapse and shown:
        classes.append("show")
    return Div(ident, classes, margins, [] if shown else [["hidden", ""]])


def html_callouts(blocks: list[Node]) -> list[Node]:
    """Callouts in Quarto's markup (header, title container, body container); `collapse`
    makes a `<details>` whose summary is the header."""

    def fn(block: Node) -> list[Node]:
        callout = callout_of(block)
        if callout is None:
            return [block]
        kind, title = callout.kind, callout.title
        classes = ["callout", f"callout-{kind}"]
        if callout.appearance != "default":
            classes.append(f"callout-style-{callout.appearance}")
        body = Div("", ["callout-body-container", "callout-body"], callout.body)
        name = CALLOUT_TITLES[kind]
        if callout.collapse:
            return _collapsible_callout(callout, classes, name)
        label = title if title.startswith(name) else f"{name}: {title}" if title else name
        head = _callout_header(name, title_inlines(callout))
        return [
            Div(
                callout.ident,
                [*classes, "callout-titled"] if title else classes,
                [*(head if title else []), body],
                [["role", "note"], ["aria-label", label]],
            )
        ]

    return rewrite_blocks(blocks, fn)


def _collapsible_callout(callout: Callout, classes: list[str], name: str) -> list[Node]:
    """A callout with `collapse`: a `<details>` whose summary is the header; its margin
    content sits beside it in a `.column-container`, shown while it is open."""
    opened = callout.collapse == "false"
    ident = f' id="{html.escape(callout.ident)}"' if callout.ident else ""
    rest, margins = _split_margins(callout.body)
    body = Div("", ["callout-body-container", "callout-body", "callout-collapse"], rest)
    details = [
        RawBlock(
            "html",
            f'<details{ident} class="{" ".join(classes)}"{" open" if opened else ""}>'
            '<summary class="callout-header"><span class="callout-title-container">'
            f'<span class="screen-reader-only">{html.escape(name)}</span>'
            f'<span class="callout-title">{html.escape(callout.title)}</span></span></summary>',
        ),
        body,
        RawBlock("html", "</details>"),
    ]
    if not margins:
        return details
    aside = Div("", [MARGIN_CONTAINER], [_margin_content("", margins, opened, collapse=True)])
    return [Div("", ["column-container"], [aside, *details])]


def html_equations(blocks: list[Node]) -> list[Node]:
    """A numbered equation's math in `span.math.display`, the child of its labelled span, as
    Quarto writes it (`span#eq-x > span.math`); Pandoc's MathML has no wrapper of its own."""
    for node in walk(blocks):
        if node["t"] == "Span" and "equation" in node["c"][0][1]:
            node["c"][1] = [
                {"t": "Span", "c": [["", ["math", "display"], []], [i]]}
                if i.get("t") == "Math"
                else i
                for i in node["c"][1]
            ]
    return blocks


def _callout_header(kind_name: str, title: list[Node]) -> list[Node]:
    """Quarto's callout header: the title in `div.callout-title-container`, led by the kind's
    word in `span.screen-reader-only`, so a screen reader hears the kind beside a custom title."""
    spoken = {"t": "Span", "c": [["", ["screen-reader-only"], []], [Str(kind_name)]]}
    container = Div(
        "",
        ["callout-title-container"],
        [{"t": "Plain", "c": [spoken]}, Div("", ["callout-title"], [{"t": "Plain", "c": title}])],
    )
    return [Div("", ["callout-header"], [container])]


def typst_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def typst_callouts(blocks: list[Node]) -> list[Node]:
    """Callouts as the template's `#callout` box (a collapsed one is shown open: paper)."""

    def fn(block: Node) -> list[Node]:
        callout = callout_of(block)
        if callout is None:
            return [block]
        style = (
            f", appearance: {typst_string(callout.appearance)}"
            if callout.appearance != "default"
            else ""
        )
        label = f" <{callout.ident}>" if callout.ident else ""
        return [
            RawBlock(
                "typst",
                f"#callout(kind: {typst_string(callout.kind)}, "
                f"title: {typst_string(callout.title)}{style})[",
            ),
            *callout.body,
            RawBlock("typst", f"]{label}"),
        ]

    return rewrite_blocks(blocks, fn)


def typst_language_spans(blocks: list[Node]) -> list[Node]:
    """Spans and divs with `lang` get Typst's `text(lang: ...)` so CJK shaping is right."""
    for node in walk(blocks):
        if node["t"] in ("Span", "Div"):
            attrs = dict(node["c"][0][2])
            lang = attrs.get("lang")
            if lang and node["t"] == "Span":
                font = f", font: {TYPST_ZH_FONTS}" if lang[:2] == "zh" else ""
                node["c"][1] = [
                    {"t": "RawInline", "c": ["typst", f'#text(lang: "{lang[:2]}"{font})[']},
                    *node["c"][1],
                    {"t": "RawInline", "c": ["typst", "]"]},
                ]
    return blocks


def relink(blocks: list[Node], pages: dict[str, str], current: str) -> list[Node]:
    """Point `#id` links at the page that holds `id` (HTML edition only)."""
    blocks = copy_of(blocks)
    for node in walk(blocks):
        if node["t"] == "Link":
            url = node["c"][2][0]
            if url.startswith("#"):
                page = pages.get(url[1:])
                if page and page != current:
                    node["c"][2][0] = page + url
    return blocks


def header_ids(blocks: list[Node]) -> list[tuple[int, str, str]]:
    """(level, id, text) of every heading, for the on-page contents list."""
    return [
        (n["c"][0], n["c"][1][0], stringify(n["c"][2])) for n in walk(blocks) if n["t"] == "Header"
    ]


def rendered_citations(blocks: list[Node]) -> list[Node]:
    """Replace Cite elements by the text citeproc rendered for them (for Typst)."""
    return map_inlines(blocks, lambda n: n["c"][1] if n["t"] == "Cite" else None)


def _tab_button(pane: str, title: list[Node], selected: bool) -> list[Node]:
    """A tab's button (Quarto's `nav-link`, `active` when selected), controlling `pane`."""
    return [
        RawInline(
            "html",
            f'<button type="button" role="tab" class="nav-link{" active" if selected else ""}" '
            f'id="{pane}-tab" aria-controls="{pane}" aria-selected='
            f'"{"true" if selected else "false"}" tabindex="{0 if selected else -1}">',
        ),
        *title,
        RawInline("html", "</button>"),
    ]


def _tab_pane(pane: str, tab: Tab, selected: bool) -> Node:
    """A tab's panel, `tabset-N-M` as Quarto names it (`active` when selected, else
    `hidden`); a heading's id stays on a div around the tab's content, so links to the
    heading open its tab (`book.js`)."""
    ident = tab.header["c"][1][0]
    blocks, _ = _split_margins(tab.blocks)
    content = [Div(ident, ["tab-content-anchor"], blocks)] if ident else blocks
    return Div(
        pane,
        ["tab-pane", *(["active"] if selected else [])],
        content,
        [
            ["role", "tabpanel"],
            ["aria-labelledby", f"{pane}-tab"],
            ["tabindex", "0"],
            *([] if selected else [["hidden", ""]]),
        ],
    )


def html_tabsets(blocks: list[Node]) -> list[Node]:
    """Tabsets as an ARIA tab list (buttons) and panels; `book.js` switches them (arrow keys,
    Home, End; tabsets of one `group` switch together). The N-th tabset of the page has
    panels `tabset-N-1`, `tabset-N-2`, ... (Quarto's ids); the tab whose heading is
    `{.active}` is shown first, else the first. Panels other than the active one start
    `hidden`; print shows them all."""
    count = 0

    def fn(block: Node) -> list[Node]:
        nonlocal count
        if not is_tabset(block):
            return [block]
        count += 1
        before, tabs = split_tabs(block)
        active = next((i for i, tab in enumerate(tabs) if tab.active), 0)
        panes = [f"tabset-{count}-{i + 1}" for i in range(len(tabs))]
        buttons = [
            inline
            for i, tab in enumerate(tabs)
            for inline in _tab_button(panes[i], tab.title, i == active)
        ]
        panels = [_tab_pane(panes[i], tab, i == active) for i, tab in enumerate(tabs)]
        margins = [
            _margin_content(f"{panes[i]}-margin-content", found, i == active, collapse=False)
            for i, tab in enumerate(tabs)
            if (found := _split_margins(tab.blocks)[1])
        ]
        container = [Div("", [MARGIN_CONTAINER], margins)] if margins else []
        attr = block["c"][0]
        group = [["data-group", value] for key, value in attr[2] if key == "group"]
        return [
            *before,
            *container,
            Div(
                attr[0],
                attr[1],
                [
                    Div("", ["tab-list"], [{"t": "Plain", "c": buttons}], [["role", "tablist"]]),
                    *panels,
                ],
                [*(kv for kv in attr[2] if kv[0] != "group"), *group],
            ),
        ]

    return rewrite_blocks(blocks, fn)


def typst_tabsets(blocks: list[Node]) -> list[Node]:
    """Tabsets in the PDF: each tab a headed section (level at most 4, as Quarto does), its
    heading unnumbered and kept out of the contents (`prepare_tabsets`)."""

    def fn(block: Node) -> list[Node]:
        if not is_tabset(block):
            return [block]
        before, tabs = split_tabs(block)
        out = list(before)
        for tab in tabs:
            tab.header["c"][0] = min(4, tab.header["c"][0])
            out += [tab.header, *tab.blocks]  # .unlisted: Pandoc writes `outlined: false`
        return out

    return rewrite_blocks(blocks, fn)


def _layout_rows(node: Node) -> list[tuple[list[float], list[Node]]] | None:
    """(relative widths, cells) of each row of a figure with subfigures (the cells are the
    subfigures) or of a layout div (its blocks); None for other elements. Takes the layout
    attribute off the element."""
    if node["t"] not in ("Figure", "Div") or (rows := subfigure_rows(node)) is None:
        return None
    node["c"][0][2] = [kv for kv in node["c"][0][2] if kv[0] != ROWS]
    if node["t"] == "Figure":
        cells = [
            b for b in node["c"][2] if b["t"] in ("Figure", "Table") and SUBFIGURE in b["c"][0][1]
        ]
    else:
        cells = node["c"][1]
    out, start = [], 0
    for widths in rows:
        if start < len(cells):
            out.append((widths, cells[start : start + len(widths)]))
        start += len(widths)
    return out


def _replace_cells(node: Node, laid_out: list[Node]) -> None:
    if node["t"] == "Div":
        node["c"][1] = laid_out
        return
    content = node["c"][2]
    first = next(i for i, b in enumerate(content) if SUBFIGURE in (attr_of(b) or ["", []])[1])
    rest = [
        b
        for b in content[first:]
        if not (b["t"] in ("Figure", "Table") and SUBFIGURE in b["c"][0][1])
    ]
    node["c"][2] = [*content[:first], *laid_out, *rest]


LEGIBLE_WIDTH = "legible-width"
"""An SVG figure's attribute from the weave: the width (CSS px) at which its smallest text is
legible (`execute.weave.legible_width`)."""


def _min_width(width: str) -> str:
    """The CSS minimum width of an image box whose picture is `width` px wide: book.css pads a
    figure's image by .5rem each side and, in the dark theme, borders it by 1px."""
    return f"calc({int(width)}px + 1rem + 2px)"


def _legible(image: Node) -> Node:
    """An image whose `legible-width` becomes its CSS `min-width`: in a column narrower than
    that, its figure's link scrolls sideways instead of shrinking the text below legibility."""
    attrs = image["c"][0][2]
    width = next((value for key, value in attrs if key == LEGIBLE_WIDTH), None)
    if width is None:
        return image
    rest = [[key, value] for key, value in attrs if key not in (LEGIBLE_WIDTH, "style")]
    style = "; ".join(
        [*(value for key, value in attrs if key == "style"), f"min-width: {_min_width(width)}"]
    )
    image["c"][0][2] = [*rest, ["style", style]]
    return image


def _without_legible_width(inline: Node) -> list[Node] | None:
    if inline["t"] == "Image":
        inline["c"][0][2] = [[k, v] for k, v in inline["c"][0][2] if k != LEGIBLE_WIDTH]
    return None


def html_zoomable_figures(blocks: list[Node]) -> list[Node]:
    """Each figure's image is a link to the image itself, so a reader on a small screen can
    open it full size and zoom (the link's name is the image's alt text); an SVG figure is no
    narrower than the width at which its text is legible (`_legible`), its link scrolling
    sideways in a narrower column. Other images drop the weave's width attribute."""
    for node in walk(blocks):
        if node.get("t") != "Figure":
            continue
        for block in node["c"][2]:
            if block.get("t") in ("Plain", "Para"):
                block["c"] = [
                    Link([_legible(inline)], inline["c"][2][0], ["figure-zoom"])
                    if inline.get("t") == "Image"
                    else inline
                    for inline in block["c"]
                ]
    return map_inlines(blocks, _without_legible_width)


def html_subfigures(blocks: list[Node]) -> list[Node]:
    """Subfigures and layout divs in rows: a CSS grid per row, its columns as wide as the
    layout says."""
    for node in walk(blocks):
        if (rows := _layout_rows(node)) is None:
            continue
        _replace_cells(
            node,
            [
                Div(
                    "",
                    ["layout-row"],
                    cells,
                    [
                        [
                            "style",
                            "grid-template-columns: "
                            + " ".join(f"{w:g}fr" for w in widths[: len(cells)]),
                        ]
                    ],
                )
                for widths, cells in rows
            ],
        )
    return blocks


# A figure cannot break across pages: subfigures whose rows are taller than this share of the
# page's text height (the rest is the caption's) are set narrower, the layout kept, to fit.
FIT_SHARE = 0.85


def _fit_rows(text_height_pt: float) -> tuple[str, str]:
    """Typst around a figure's rows that narrows them (all images shrink alike) when they
    would be taller than `FIT_SHARE` of the text height: a figure is never cut at the page's
    foot. Rows that fit are set as they are."""
    room = f"{FIT_SHARE * text_height_pt:.2f}pt"
    return (
        "#layout(size => { let rows = [",
        f"]; let tall = measure(rows, width: size.width).height; if tall > {room} "
        f"{{ align(center, block(width: size.width * ({room} / tall), rows)) }} "
        "else { rows } })",
    )


def typst_subfigures(blocks: list[Node], text_height_pt: float) -> list[Node]:
    """Subfigures and layout divs in rows: a Typst grid per row; subfigures are unnumbered
    (the caption carries the letter) and kept out of the list of figures. A figure's rows
    taller than the page (`text_height_pt`, less room for the caption) are narrowed to fit."""
    fit_open, fit_close = _fit_rows(text_height_pt)
    for node in walk(blocks):
        if (rows := _layout_rows(node)) is None:
            continue
        laid_out: list[Node] = []
        for widths, cells in rows:
            columns = ", ".join(f"{w:g}fr" for w in widths[: len(cells)])
            laid_out.append(
                RawBlock(
                    "typst", f"#grid(columns: ({columns},), column-gutter: 1em, align: bottom,"
                )
            )
            for cell in cells:
                laid_out += [
                    RawBlock("typst", "[#set figure(numbering: none, outlined: false)"),
                    cell,
                    RawBlock("typst", "],"),
                ]
            laid_out.append(RawBlock("typst", ")"))
        if node["t"] == "Figure":
            laid_out = [RawBlock("typst", fit_open), *laid_out, RawBlock("typst", fit_close)]
        _replace_cells(node, laid_out)
    return blocks


def typst_float_kinds(blocks: list[Node]) -> list[Node]:
    """A float's kind is its label's, not its content's: a Table around an image is listed
    with the tables, a Figure around a table with the figures (Typst would guess from the
    content), a custom kind's float is of its own kind (in neither list), and a table inside
    a figure is not a float of its own."""

    def fn(block: Node) -> list[Node]:
        if block.get("t") != "Figure" or SUBFIGURE in block["c"][0][1]:
            return [block]
        table = TABLE_PANEL in block["c"][0][1]
        custom = float_kind(block)
        block["c"][0][2] = without_marks(block["c"][0][2])
        content = block["c"][2]
        if not (table or custom) and not any(b.get("t") == "Table" for b in content):
            return [block]  # an image figure: Typst's guess is right, the markup unchanged
        if not table and any(b.get("t") == "Table" for b in content):
            block["c"][2] = [
                RawBlock("typst", "#set figure(numbering: none, outlined: false)"),
                *content,
            ]
        if custom:  # a kind of its own, in no list; its caption where the kind puts it
            kind = f'"quarto-float-{custom[0]}", supplement: none'
            rule = f"#[#set figure(kind: {kind}); #set figure.caption(position: {custom[1]})"
            return [RawBlock("typst", rule), block, RawBlock("typst", "]")]
        kind = "table, supplement: [Table]" if table else "image, supplement: [Figure]"
        return [RawBlock("typst", f"#[#set figure(kind: {kind})"), block, RawBlock("typst", "]")]

    return rewrite_blocks(blocks, fn)


def listing_captions_below(blocks: list[Node], locations: dict[str, str]) -> list[Node]:
    """Listings whose caption goes below the code (`lst-cap-location: bottom`, on the listing
    or for the edition): the caption moved after it."""

    def fn(block: Node) -> list[Node]:
        if (
            block.get("t") == "Div"
            and "listing" in block["c"][0][1]
            and listing_location(block, locations) == "bottom"
        ):
            inner = block["c"][1]
            if inner and inner[0].get("t") == "Div" and "listing-caption" in inner[0]["c"][0][1]:
                block["c"][1] = [*inner[1:], inner[0]]
        return [block]

    return rewrite_blocks(blocks, fn)


def typst_caption_rules(locations: dict[str, str]) -> str:
    """Typst show rules that move figure and table captions where the PDF's
    `fig-cap-location`/`tbl-cap-location` put them (empty when both stay put)."""
    kinds = {"fig": "image", "tbl": "table"}
    return "\n".join(
        f"#show figure.where(kind: {kinds[k]}): set figure.caption(position: {where})"
        for k, where in sorted(locations.items())
        if k in kinds
    )


def _margin_classes(node: Node) -> list[str]:
    return [c for c in node["c"][0][1] if c not in ("column-margin", "aside")]


def _margin_span(node: Node) -> list[Node] | None:
    """A margin span as the build shows it (`span.margin-aside`, floated by book.css)."""
    if node["t"] != "Span" or not is_margin(node):
        return None
    return [
        RawInline("html", '<span class="margin-aside" role="note">'),
        *node["c"][1],
        RawInline("html", "</span>"),
    ]


_SPACES = ("Space", "SoftBreak")


def _without_spans(inlines: list[Node], moved: list[Node]) -> list[Node]:
    """`inlines` without their margin spans (appended to `moved`), the space left on either
    side of one made a single space, none at the ends."""

    def take(node: Node) -> list[Node] | None:
        if node["t"] == "Span" and is_margin(node):
            moved.append(node)
            return []
        return None

    out: list[Node] = []
    for node in map_inlines(inlines, take):
        if node["t"] in _SPACES and (not out or out[-1]["t"] in _SPACES):
            continue
        out.append(node)
    while out and out[-1]["t"] in _SPACES:
        out.pop()
    return out


def _paragraph_margins(block: Node) -> list[Node]:
    """A paragraph's margin spans moved out of it, into Quarto's margin container after it
    (`div.column-margin.column-container`), so no `p > span.margin-aside` is left."""
    moved: list[Node] = []
    rest = _without_spans(block["c"], moved)
    spans = [inline for span in moved for inline in _margin_span(span) or []]
    plain = {"t": "Plain", "c": spans}
    container = Div("", ["no-row-height", "column-margin", "column-container"], [plain])
    return [*([{"t": block["t"], "c": rest}] if rest else []), container]


def html_margins(blocks: list[Node]) -> list[Node]:
    """Margin content (`.column-margin`, `.aside`) as an `<aside>` beside the text (inline on
    narrow screens; book.css places it); a paragraph's margin spans go after it, as Quarto
    moves them (a heading's or a cell's stay in place)."""

    def div(block: Node) -> list[Node]:
        if block.get("t") in ("Para", "Plain") and any(
            n["t"] == "Span" and is_margin(n) for n in walk(block["c"])
        ):
            return _paragraph_margins(block)
        if block.get("t") != "Div" or not is_margin(block):
            return [block]
        return [
            RawBlock("html", '<aside class="margin-note">'),
            Div(block["c"][0][0], _margin_classes(block), block["c"][1], block["c"][0][2]),
            RawBlock("html", "</aside>"),
        ]

    return _with_spans(rewrite_blocks(blocks, div), _margin_span)


def html_margin_footnotes(blocks: list[Node]) -> list[Node]:
    """`reference-location: margin`: each footnote beside the block that cites it, in
    Quarto's markup (`div.column-margin` holding `div#fn1`), numbered 1, 2, ... down the page
    as Pandoc numbers them; the reference stays a superscript link to it."""
    count = [0]

    def fn(block: Node) -> list[Node]:
        if block.get("t") in ("Div", "BlockQuote", "BulletList", "OrderedList"):
            return [block]  # their blocks are rewritten one by one
        notes: list[tuple[int, list[Node]]] = []

        def note(node: Node) -> list[Node] | None:
            if node["t"] != "Note":
                return None
            count[0] += 1
            notes.append((count[0], node["c"]))
            n = count[0]
            return [
                RawInline(
                    "html",
                    f'<a href="#fn{n}" class="footnote-ref" id="fnref{n}" role="doc-noteref">'
                    f"<sup>{n}</sup></a>",
                )
            ]

        if not any(n["t"] == "Note" for n in walk(block)):
            return [block]
        block = map_inlines(block, note)
        margin = ["no-row-height", "column-margin", "column-container", "margin-note"]
        return [block, *(Div("", margin, [_numbered_note(n, body)]) for n, body in notes)]

    return rewrite_blocks(blocks, fn)


def _numbered_note(number: int, body: list[Node]) -> Node:
    """A margin footnote's div: its number, then its text (Quarto's `<sup>1</sup>&nbsp;`)."""
    mark = RawInline("html", f"<sup>{number}</sup>\u00a0")
    blocks = [*body] or [{"t": "Para", "c": []}]
    if blocks[0]["t"] in ("Para", "Plain"):
        blocks[0] = {"t": blocks[0]["t"], "c": [mark, *blocks[0]["c"]]}
    else:
        blocks.insert(0, {"t": "Plain", "c": [mark]})
    return Div(f"fn{number}", [], blocks)


def _with_spans(blocks: list[Node], fn: Callable[[Node], list[Node] | None]) -> list[Node]:
    """`map_inlines(blocks, fn)` only when some span is margin content (it rebuilds the tree)."""
    if any(n["t"] == "Span" and is_margin(n) for n in walk(blocks)):
        return map_inlines(blocks, fn)
    return blocks


def typst_margins(blocks: list[Node]) -> list[Node]:
    """Margin content on paper: a margin block becomes a small side note set off by a rule
    under the paragraph it follows; an inline `.aside` becomes a footnote."""

    def span(node: Node) -> list[Node] | None:
        if node["t"] != "Span" or not is_margin(node):
            return None
        return [RawInline("typst", "#footnote["), *node["c"][1], RawInline("typst", "]")]

    def div(block: Node) -> list[Node]:
        if block.get("t") != "Div" or not is_margin(block):
            return [block]
        return [RawBlock("typst", "#margin-note["), *block["c"][1], RawBlock("typst", "]")]

    return rewrite_blocks(_with_spans(blocks, span), div)


_UNPROCESSED = re.compile(r"data-quarto-disable-processing\s*=\s*[\"']?true", re.I)


def _is_html_table(node: Any) -> bool:
    """A raw HTML block holding a `<table>` Quarto processes (not marked
    `data-quarto-disable-processing="true"`)."""
    if not (isinstance(node, dict) and node.get("t") == "RawBlock"):
        return False
    fmt, raw = node["c"]
    return fmt == "html" and "<table" in raw.lower() and not _UNPROCESSED.search(raw)


def typst_html_tables(value: Any) -> Any:
    """Raw HTML tables as Pandoc tables, in place, as Quarto (1.3 and later) reads them in
    every format, so the PDF shows a table written in HTML (or printed as HTML by a cell)
    rather than leaving it out as other raw HTML."""
    if isinstance(value, list):
        out: list[Any] = []
        for item in value:
            if _is_html_table(item):
                out.extend(_html_blocks(item["c"][1]))
            else:
                out.append(typst_html_tables(item))
        return out
    if isinstance(value, dict):
        for key, inner in value.items():
            value[key] = typst_html_tables(inner)
    return value


def _html_blocks(raw: str) -> list[Node]:
    """The blocks Pandoc reads from HTML `raw`."""
    text = pandoc.run(["-f", "html", "-t", "json"], raw, Path.cwd(), "a raw HTML table")
    blocks: list[Node] = json.loads(text)["blocks"]
    return blocks
