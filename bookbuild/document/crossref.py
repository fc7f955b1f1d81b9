"""Number chapters, sections, figures, tables and equations; resolve `@label` references.

Numbers are computed once here and written into the AST as text, so the HTML edition and the
PDF show exactly the same "Figure 3.2". Unknown labels and unknown citation keys are errors
naming the chapter file and line, never "??".
"""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Any

from bookbuild.document.ast import (
    Link,
    Node,
    Space,
    Span,
    Str,
    attr_of,
    map_inlines,
    stringify,
    walk,
)
from bookbuild.document.chapter import Chapter, Target
from bookbuild.document.conditional import check_conditionals
from bookbuild.document.tabsets import prepare_tabsets
from bookbuild.errors import BuildError

KINDS = {"fig": "Figure", "tbl": "Table", "sec": "Section", "eq": "Equation"}
_EQ_LABEL = re.compile(r"^\{#(eq-[\w-]+)\}$")
_BIB_KEY = re.compile(r"@\w+\s*\{\s*([^,\s]+)\s*,")


def _line_of(source: str, needle: str) -> int | None:
    for number, line in enumerate(source.splitlines(), start=1):
        if needle in line:
            return number
    return None


def _ref_line(source: str, key: str) -> int | None:
    """Line of the first `@key` that is exactly this key (not `@key2`, not `a@key.org`)."""
    pattern = re.compile(rf"(?<![\w@]){re.escape('@' + key)}(?![\w-]|[.:]\w)")
    return next((n for n, line in enumerate(source.splitlines(), 1) if pattern.search(line)),
                None)


def _definition_line(source: str, label: str) -> int | None:
    """Line of the last place `label` is defined (`{#label}` or `#| label: label`)."""
    pattern = re.compile(rf"(#|label:\s*['\"]?){re.escape(label)}(?![\w-])")
    found = [n for n, line in enumerate(source.splitlines(), 1) if pattern.search(line)]
    return found[-1] if found else None


def bibliography_keys(paths: list[Path]) -> set[str]:
    keys: set[str] = set()
    for path in paths:
        keys.update(_BIB_KEY.findall(path.read_text("utf-8")))
    return keys


def _number_span(text: str, cls: str) -> Node:
    return Span("", [cls], [Str(text)])


def number_book(chapters: list[Chapter]) -> dict[str, Target]:
    """Assign numbers in reading order and return every label's target."""
    targets: dict[str, Target] = {}
    main_count = 0
    appendix_count = 0

    def register(label: str, target: Target, chapter: Chapter) -> None:
        if label in targets:
            raise BuildError(f"label '{label}' is defined twice (also in {targets[label].page})",
                             chapter.path, _definition_line(chapter.source, label))
        targets[label] = target

    for chapter in chapters:
        headers = [b for b in chapter.blocks if b["t"] == "Header"]
        first = headers[0] if headers and headers[0]["c"][0] == 1 else None
        if first is None:
            raise BuildError("a chapter must start with a level-1 heading ('# Title')",
                             chapter.path, 1)
        numbered = "unnumbered" not in first["c"][1][1]
        if numbered and chapter.appendix:
            chapter.number = string.ascii_uppercase[appendix_count]
            appendix_count += 1
        elif numbered:
            main_count += 1
            chapter.number = str(main_count)
        prepare_tabsets(chapter.blocks, chapter.path, chapter.source)
        check_conditionals(chapter.blocks, chapter.path, chapter.source,
                           numbered=bool(chapter.number))
        chapter.title = stringify(first["c"][2])
        chapter.title_id = first["c"][1][0]
        counters = [0, 0, 0, 0, 0, 0]
        fig = tbl = eq = 0
        prefix = f"{chapter.number}." if chapter.number else ""
        for node in walk(chapter.blocks):
            kind = node["t"]
            if kind == "Header":
                level, attr, inlines = node["c"]
                ident, classes = attr[0], attr[1]
                if level == 1:
                    if node is not first and "unnumbered" not in classes:
                        raise BuildError("only one numbered level-1 heading per chapter file; "
                                         "mark others {.unnumbered}", chapter.path,
                                         _line_of(chapter.source, stringify(inlines)))
                    number = chapter.number if node is first else None
                else:
                    number = None
                    if chapter.number and "unnumbered" not in classes:
                        counters[level - 1] += 1
                        for deeper in range(level, len(counters)):
                            counters[deeper] = 0
                        number = chapter.number + "".join(
                            f".{counters[i]}" for i in range(1, level))
                title = stringify(inlines)
                if number:
                    node["c"][2] = [_number_span(number, "header-section-number"), Space(),
                                    *inlines]
                chapter.sections.append((level, ident, number or "", title))
                if ident:
                    if level == 1 and number:
                        text = (f"Appendix\u00a0{number}" if chapter.appendix
                                else f"Chapter\u00a0{number}")
                    else:
                        text = f"Section\u00a0{number}" if number else title
                    register(ident, Target("sec", number or "", chapter.page, text), chapter)
            elif kind == "Figure":
                ident = node["c"][0][0]
                if ident.startswith("fig-"):
                    fig += 1
                    number = f"{prefix}{fig}"
                    _caption_prefix(node["c"][1], f"Figure\u00a0{number}:")
                    _image_alt(node)
                    register(ident, Target("fig", number, chapter.page,
                                           f"Figure\u00a0{number}"), chapter)
            elif kind == "Table":
                ident = node["c"][0][0]
                if ident.startswith("tbl-"):
                    tbl += 1
                    number = f"{prefix}{tbl}"
                    _caption_prefix(node["c"][1], f"Table\u00a0{number}:")
                    register(ident, Target("tbl", number, chapter.page,
                                           f"Table\u00a0{number}"), chapter)
            elif kind == "Para":
                label = _equation_label(node)
                if label:
                    eq += 1
                    number = f"{prefix}{eq}"
                    math = node["c"][0]
                    node["c"] = [Span(label, ["equation"],
                                      [math, Space(), Str(f"({number})")])]
                    register(label, Target("eq", number, chapter.page,
                                           f"Equation\u00a0{number}"), chapter)
    return targets


def _caption_prefix(caption: list[Any], text: str) -> None:
    blocks = caption[1]
    if blocks and blocks[0]["t"] in ("Plain", "Para"):
        blocks[0]["c"] = [_number_span(text, "figure-number"), Space(), *blocks[0]["c"]]
    else:
        blocks.insert(0, {"t": "Plain", "c": [_number_span(text, "figure-number")]})


def _image_alt(figure: Node) -> None:
    """Move Quarto's `fig-alt` attribute into the image's alt text."""
    for node in walk(figure["c"][2]):
        if node["t"] == "Image":
            attrs = node["c"][0][2]
            alt = [value for key, value in attrs if key == "fig-alt"]
            if alt:
                node["c"][0][2] = [[k, v] for k, v in attrs if k != "fig-alt"]
                node["c"][1] = [Str(alt[0])]


def _equation_label(para: Node) -> str | None:
    content = para["c"]
    if (len(content) >= 2 and content[0]["t"] == "Math"
            and content[0]["c"][0]["t"] == "DisplayMath" and content[-1]["t"] == "Str"):
        match = _EQ_LABEL.match(content[-1]["c"])
        if match and all(n["t"] in ("Space", "SoftBreak") for n in content[1:-1]):
            return match[1]
    return None


def resolve_references(chapters: list[Chapter], targets: dict[str, Target],
                       bib_keys: set[str]) -> list[str]:
    """Replace crossref cites by links; return the citation keys used (checked against bib)."""
    problems: list[str] = []
    cited: list[str] = []

    for chapter in chapters:
        def fix(node: Node, chapter: Chapter = chapter) -> list[Node] | None:
            if node["t"] != "Cite":
                return None
            citations = node["c"][0]
            ids = [c["citationId"] for c in citations]
            is_ref = [i.split("-", 1)[0] in KINDS and "-" in i for i in ids]
            if not any(is_ref):
                for key in ids:
                    if key not in bib_keys:
                        line = _ref_line(chapter.source, key)
                        problems.append(f"{chapter.path}:{line}: unknown citation key "
                                        f"'@{key}' (not in the bibliography)")
                    cited.append(key)
                return None
            if not all(is_ref):
                line = _ref_line(chapter.source, ids[0])
                problems.append(f"{chapter.path}:{line}: a citation mixes cross-references and "
                                f"bibliography keys: {', '.join(ids)}")
                return None
            out: list[Node] = []
            for position, citation in enumerate(citations):
                label = citation["citationId"]
                target = targets.get(label)
                if target is None:
                    line = _ref_line(chapter.source, label)
                    problems.append(f"{chapter.path}:{line}: unknown cross-reference "
                                    f"'@{label}'")
                    return None
                if position:
                    out += [Str(","), Space()]
                out += citation["citationPrefix"] + ([Space()] if citation["citationPrefix"]
                                                     else [])
                out.append(Link([Str(target.text)], f"#{label}", ["quarto-xref"]))
                out += citation["citationSuffix"]
            return out

        chapter.blocks = map_inlines(chapter.blocks, fix)
    if problems:
        raise BuildError(f"{len(problems)} unresolved reference(s)",
                         detail="\n".join(problems))
    return cited


def check_attrs(chapters: list[Chapter]) -> None:
    """Labels of the wrong kind in the wrong place are errors (e.g. `#fig-` on a table)."""
    for chapter in chapters:
        for node in walk(chapter.blocks):
            attr = attr_of(node)
            if not attr or not attr[0]:
                continue
            kind = attr[0].split("-", 1)[0]
            expected = {"fig": "Figure", "tbl": "Table"}.get(kind)
            if expected and node["t"] not in (expected, "Div", "Span") and "-" in attr[0]:
                raise BuildError(f"label '{attr[0]}' is on a {node['t']}, not a {expected}",
                                 chapter.path, _line_of(chapter.source, attr[0]))
