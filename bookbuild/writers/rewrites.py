"""Format-specific rewrites of the numbered, cited AST (callouts, language spans, links)."""

from __future__ import annotations

import json

from bookbuild.document.ast import (
    Div,
    Node,
    RawBlock,
    RawInline,
    Str,
    copy_of,
    map_inlines,
    stringify,
    walk,
)
from bookbuild.document.tabsets import is_tabset, split_tabs

CALLOUT_KINDS = ("note", "tip", "important", "warning", "caution")
CALLOUT_TITLES = {kind: kind.capitalize() for kind in CALLOUT_KINDS}


def callout_kind(node: Node) -> str | None:
    if node.get("t") != "Div":
        return None
    for cls in node["c"][0][1]:
        if cls.startswith("callout-") and cls.removeprefix("callout-") in CALLOUT_KINDS:
            return cls.removeprefix("callout-")
    return None


def _split_title(node: Node, kind: str) -> tuple[list[Node], list[Node]]:
    """(title inlines, body blocks): a leading heading in the callout is its title."""
    attrs = dict(node["c"][0][2])
    blocks = node["c"][1]
    if blocks and blocks[0]["t"] == "Header":
        return blocks[0]["c"][2], blocks[1:]
    if "title" in attrs:
        return [Str(attrs["title"])], blocks
    return [Str(CALLOUT_TITLES[kind])], blocks


def hoist_callout_titles(blocks: list[Node]) -> list[Node]:
    """Move a callout's leading heading into its `title` attribute (before numbering)."""
    for node in walk(blocks):
        kind = callout_kind(node)
        inner = node["c"][1] if kind else []
        if kind and inner and inner[0]["t"] == "Header":
            node["c"][0][2] = [*node["c"][0][2], ["title", stringify(inner[0]["c"][2])]]
            node["c"][1] = inner[1:]
    return blocks


def rewrite_blocks(blocks: list[Node], fn) -> list[Node]:
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


def html_callouts(blocks: list[Node]) -> list[Node]:
    def fn(block: Node) -> list[Node]:
        kind = callout_kind(block)
        if kind is None:
            return [block]
        title, body = _split_title(block, kind)
        return [Div("", ["callout", f"callout-{kind}"], [
            Div("", ["callout-title"], [{"t": "Plain", "c": title}]),
            Div("", ["callout-body"], body),
        ], [["role", "note"], ["aria-label", f"{CALLOUT_TITLES[kind]}: {stringify(title)}"]])]
    return rewrite_blocks(blocks, fn)


def typst_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def typst_callouts(blocks: list[Node]) -> list[Node]:
    def fn(block: Node) -> list[Node]:
        kind = callout_kind(block)
        if kind is None:
            return [block]
        title, body = _split_title(block, kind)
        return [RawBlock("typst", f"#callout(kind: {typst_string(kind)}, "
                                  f"title: {typst_string(stringify(title))})["),
                *body, RawBlock("typst", "]")]
    return rewrite_blocks(blocks, fn)


def typst_language_spans(blocks: list[Node]) -> list[Node]:
    """Spans and divs with `lang` get Typst's `text(lang: ...)` so CJK shaping is right."""
    for node in walk(blocks):
        if node["t"] in ("Span", "Div"):
            attrs = dict(node["c"][0][2])
            lang = attrs.get("lang")
            if lang and node["t"] == "Span":
                node["c"][1] = [{"t": "RawInline", "c": ["typst", f"#text(lang: \"{lang[:2]}\")["]},
                                *node["c"][1], {"t": "RawInline", "c": ["typst", "]"]}]
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
    return [(n["c"][0], n["c"][1][0], stringify(n["c"][2])) for n in walk(blocks)
            if n["t"] == "Header"]



def rendered_citations(blocks: list[Node]) -> list[Node]:
    """Replace Cite elements by the text citeproc rendered for them (for Typst)."""
    return map_inlines(blocks, lambda n: n["c"][1] if n["t"] == "Cite" else None)


def html_tabsets(blocks: list[Node]) -> list[Node]:
    """Tabsets as an ARIA tab list (buttons) and panels; `book.js` switches them (arrow keys,
    Home, End). Panels other than the active one start `hidden`; print shows them all."""
    count = 0

    def fn(block: Node) -> list[Node]:
        nonlocal count
        if not is_tabset(block):
            return [block]
        count += 1
        before, tabs = split_tabs(block)
        active = next((i for i, tab in enumerate(tabs) if tab.active), 0)
        ids = [f"tabset-{count}-{i + 1}" for i in range(len(tabs))]
        buttons: list[Node] = []
        for i, tab in enumerate(tabs):
            selected = i == active
            buttons += [RawInline("html", f'<button type="button" role="tab" id="{ids[i]}-tab" '
                                          f'aria-controls="{ids[i]}" aria-selected='
                                          f'"{"true" if selected else "false"}" tabindex='
                                          f'"{0 if selected else -1}">'),
                        *tab.title, RawInline("html", "</button>")]
        panels = [Div(ids[i], ["tab-pane"], tab.blocks,
                      [["role", "tabpanel"], ["aria-labelledby", f"{ids[i]}-tab"],
                       ["tabindex", "0"], *([] if i == active else [["hidden", ""]])])
                  for i, tab in enumerate(tabs)]
        attr = block["c"][0]
        return [*before, Div(attr[0], attr[1], [
            Div("", ["tab-list"], [{"t": "Plain", "c": buttons}], [["role", "tablist"]]),
            *panels], [kv for kv in attr[2] if kv[0] != "group"])]
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
