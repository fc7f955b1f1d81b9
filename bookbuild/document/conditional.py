"""Conditional content: `.content-visible` / `.content-hidden` with `when-format` /
`unless-format`, and `.hidden`, kept or dropped per edition as Quarto does; `when-meta` /
`unless-meta` (true when the metadata value at a dotted key is the boolean true), the same in
both editions, decided before numbering (`resolve_meta`).

Quarto renders each format separately, so a block shown only in one format takes no part in
the other format's numbering. This build numbers the book once for both editions, unless
conditional content holds a numbered heading or a labelled figure, table or other target:
then each edition gets its own copy of the chapters with the other format's content removed
(`edition_copies`), numbered on its own, as Quarto numbers each format.
"""

from __future__ import annotations

import copy
import logging
from pathlib import Path
from typing import Any

from bookbuild.document.ast import Node, ids_in, walk
from bookbuild.document.chapter import Chapter
from bookbuild.document.custom_kinds import custom_keys
from bookbuild.document.kinds import kind_of
from bookbuild.errors import BuildError, line_holding

log = logging.getLogger("bookbuild")

VISIBLE, HIDDEN = "content-visible", "content-hidden"
FORMAT_KEYS = ("when-format", "unless-format")
META_KEYS = ("when-meta", "unless-meta")
UNSUPPORTED_KEYS = ("when-profile", "unless-profile")
# What each edition is, in Quarto's format names and the aliases `isFormat` accepts for them.
HTML_NAMES = frozenset({"html", "html4", "html5", "html:js"})
TYPST_NAMES = frozenset({"typst"})
LATEX_NAMES = frozenset({"pdf", "latex"})


def edition_names(edition: str, pdf_format: str = "typst") -> frozenset[str]:
    """The `when-format` values that match `edition` ("html" or "pdf").

    The PDF edition is Quarto's `typst` format, or `pdf` (LaTeX) when `_quarto.yml` declares
    `format: pdf:` instead: then `pdf` and `latex` match it, as in Quarto.
    """
    if edition == "html":
        return HTML_NAMES
    return LATEX_NAMES if pdf_format == "pdf" else TYPST_NAMES


def declared_pdf_format(formats: dict[str, Any] | None) -> str:
    """ "pdf" when the book's `format:` declares `pdf:` and not `typst:`; otherwise "typst"."""
    formats = formats if isinstance(formats, dict) else {}
    return "pdf" if "pdf" in formats and "typst" not in formats else "typst"


def pdf_names(config_path: Path) -> frozenset[str]:
    """The `when-format` values the PDF edition of the book at `config_path` matches."""
    from bookbuild.config.project import load_yaml

    config = load_yaml(config_path.read_text("utf-8"), config_path) if config_path.is_file() else {}
    return edition_names("pdf", declared_pdf_format((config or {}).get("format")))


def _condition(node: Node) -> tuple[str, dict[str, str]] | None:
    """("content-visible" | "content-hidden", its attributes) of a conditional element."""
    attr = node["c"][0]
    for cls in attr[1]:
        if cls in (VISIBLE, HIDDEN):
            return cls, dict(attr[2])
    return None


def _shown(behaviour: str, pairs: list[list[str]], names: frozenset[str]) -> bool:
    """Whether an element with `behaviour` and attribute `pairs` shows in the edition of
    `names`. A key given more than once matches when any of its values does, as in Quarto
    (`when-format="html" when-format="pdf"`: both editions)."""
    match = True
    for key, wanted in (("when-format", True), ("unless-format", False)):
        values = [v for k, v in pairs if k == key]
        if values:
            match = match and any(v in names for v in values) == wanted
    return match if behaviour == VISIBLE else not match


def _clean(node: Node) -> None:
    attr = node["c"][0]
    attr[1] = [c for c in attr[1] if c not in (VISIBLE, HIDDEN)]
    attr[2] = [[k, v] for k, v in attr[2] if k not in FORMAT_KEYS]


def _keep(node: Node, names: frozenset[str]) -> bool | None:
    """False to drop `node`, True to keep it (conditions removed), None if not conditional."""
    if node.get("t") not in ("Div", "Span", "CodeBlock"):
        return None
    if node["t"] in ("Div", "Span") and "hidden" in node["c"][0][1]:
        return False
    found = _condition(node)
    if found is None:
        return None
    shown = _shown(found[0], node["c"][0][2], names)
    if shown:
        _clean(node)
    return shown


def select(value: Any, names: frozenset[str]) -> Any:
    """`value` (blocks, in place) with conditional content not for `names` removed.

    A shown Div is replaced by its content, as Quarto does; a shown Span or CodeBlock stays,
    without its conditions. `.hidden` divs and spans are removed from both editions.
    """
    if not any(_is_conditional(node) for node in walk(value)):
        return value  # the common case: nothing to rebuild
    return _select(value, names)


def _is_conditional(node: Node) -> bool:
    return node["t"] in ("Div", "Span", "CodeBlock") and any(
        c in (VISIBLE, HIDDEN, "hidden") for c in node["c"][0][1]
    )


def _select(value: Any, names: frozenset[str]) -> Any:
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, dict) and "t" in item:
                keep = _keep(item, names)
                if keep is False:
                    continue
                if keep and item["t"] == "Div" and not item["c"][0][0]:
                    out.extend(_select(item["c"][1], names))
                    continue
            out.append(_select(item, names))
        return out
    if isinstance(value, dict):
        for key, inner in value.items():
            value[key] = _select(inner, names)
    return value


def _target(ident: str, custom: frozenset[str]) -> bool:
    """Whether `ident` labels a cross-reference target: a built-in kind's or a custom one's."""
    prefix, dash, _ = ident.partition("-")
    return kind_of(ident) is not None or bool(dash and prefix in custom)


def _numbers_inside(node: Node, custom: frozenset[str]) -> bool:
    """Whether a format-conditional element holds something numbered: a heading not marked
    unnumbered, or a cross-reference target (`custom`: the custom kinds' keys)."""
    if _target(node["c"][0][0], custom):
        return True
    if node["t"] == "CodeBlock":
        return False
    content = node["c"][1]
    return any(
        n["t"] == "Header" and "unnumbered" not in n["c"][1][1] for n in walk(content)
    ) or any(_target(i, custom) for i in ids_in(content))


def format_dependent(blocks: list[Node], custom: frozenset[str] = frozenset()) -> bool:
    """Whether the editions number `blocks` differently: format-conditional content (a div,
    span or code block with `when-format`/`unless-format`) is or holds something numbered
    (`custom`: the keys of the custom kinds, `custom_kinds.custom_keys`)."""
    return any(
        n["t"] in ("Div", "Span", "CodeBlock")
        and (found := _condition(n)) is not None
        and any(key in found[1] for key in FORMAT_KEYS)
        and _numbers_inside(n, custom)
        for n in walk(blocks)
    )


def edition_copies(
    chapters: list[Chapter], config_path: Path, custom: frozenset[str] = frozenset()
) -> dict[str, list[Chapter]] | None:
    """For a book whose editions number differently (`format_dependent`), a copy of the
    chapters per edition ("html", "pdf") holding only that edition's content; else None.
    `custom`: the book's custom kinds' keys (a chapter's own are read from its front matter)."""
    if not any(format_dependent(c.blocks, custom | custom_keys(c.meta)) for c in chapters):
        return None
    editions = {"html": HTML_NAMES, "pdf": pdf_names(config_path)}
    out: dict[str, list[Chapter]] = {}
    for edition, names in editions.items():
        copies = copy.deepcopy(chapters)
        for chapter in copies:
            chapter.blocks = select(resolve_meta(chapter.blocks, chapter.meta), names)
        out[edition] = copies
    return out


def meta_true(meta: dict[str, Any], key: str) -> bool:
    """Whether the metadata value at `key` (dotted: `a.b.c`) is the boolean true (Quarto's
    test for `when-meta`; a missing key, or any other value, is false)."""
    value: Any = meta
    for part in key.split("."):
        if not isinstance(value, dict):
            return False
        value = value.get(part)
    return value is True


def _meta_decision(node: Node, meta: dict[str, Any]) -> bool | None:
    """For an element with a `when-meta`/`unless-meta` condition: False to drop it, True to
    show it whatever the format, None to leave its format condition to each edition. The
    meta conditions are removed from the element. None for other elements."""
    if node.get("t") not in ("Div", "Span", "CodeBlock"):
        return None
    found = _condition(node)
    if found is None or not any(key in found[1] for key in META_KEYS):
        return None
    behaviour, attrs = found
    matched = all(
        meta_true(meta, attrs[key]) != (key == "unless-meta") for key in META_KEYS if key in attrs
    )
    attr = node["c"][0]
    attr[2] = [[k, v] for k, v in attr[2] if k not in META_KEYS]
    if matched and any(key in attrs for key in FORMAT_KEYS):
        return None  # shown or hidden by format, per edition
    shown = matched == (behaviour == VISIBLE)
    if shown:
        _clean(node)
    return shown


def resolve_meta(value: Any, meta: dict[str, Any]) -> Any:
    """`value` (blocks, in place) with `when-meta`/`unless-meta` content decided by `meta`
    (the chapter's front matter over `_quarto.yml`): dropped, or shown (a shown Div without
    an id replaced by its content, as Quarto does). Run before numbering, so what is dropped
    takes no number in either edition."""
    if not any(
        n["t"] in ("Div", "Span", "CodeBlock")
        and any(k in META_KEYS for k, _ in n["c"][0][2])
        and _condition(n)
        for n in walk(value)
    ):
        return value
    return _resolve_meta(value, meta)


def _resolve_meta(value: Any, meta: dict[str, Any]) -> Any:
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, dict) and "t" in item:
                shown = _meta_decision(item, meta)
                if shown is False:
                    continue
                if shown and item["t"] == "Div" and not item["c"][0][0]:
                    out.extend(_resolve_meta(item["c"][1], meta))
                    continue
            out.append(_resolve_meta(item, meta))
        return out
    if isinstance(value, dict):
        for key, inner in value.items():
            value[key] = _resolve_meta(inner, meta)
    return value


def _attr_line(source: str, behaviour: str, attrs: dict[str, str]) -> int | None:
    """The first line with `behaviour` and (on it or the next line) all of `attrs`."""
    lines = source.splitlines()
    for number, line in enumerate(lines, start=1):
        if behaviour in line:
            near = line + " " + (lines[number] if number < len(lines) else "")
            if all(key in near and value in near for key, value in attrs.items()):
                return number
    return line_holding(source, behaviour)


def check_conditionals(nodes: list[Node], path: Path, source: str) -> None:
    """Refuse the conditions this build cannot decide (profiles), and warn about `pdf`/`latex`
    conditions in a Typst book. `nodes`: the chapter's elements (`ast.elements`)."""
    for node in nodes:
        if node["t"] not in ("Div", "Span", "CodeBlock"):
            continue
        found = _condition(node)
        if found is None:
            continue
        behaviour, attrs = found
        line = _attr_line(source, behaviour, attrs)
        for key in UNSUPPORTED_KEYS:
            if key in attrs:
                raise BuildError(
                    f"conditional content with '{key}' is not supported by this "
                    "build (it has no profiles): use when-format, unless-format, when-meta "
                    "or unless-meta",
                    path,
                    line,
                )
        for key in FORMAT_KEYS:
            if key in attrs and attrs[key] in LATEX_NAMES:
                log.warning(
                    "%s:%s: %s=\"%s\" matches Quarto's LaTeX PDF; this book's PDF is "
                    'Typst unless _quarto.yml declares format: pdf (use "typst")',
                    path,
                    line,
                    key,
                    attrs[key],
                )
