"""The HTML edition's search index: one document per section, shipped as a script.

The index is plain data (chapter, section, text), written as `assets/search-index.js` that
assigns a global. A `<script>` tag loads it, so search works when the edition is opened
straight from disk (`file://`), where a page may not fetch files. The browser builds the
MiniSearch index from these documents on first use.
"""

from __future__ import annotations

import json
from typing import Any

from bookbuild.document.ast import Node
from bookbuild.document.chapter import Chapter

GLOBAL_NAME = "BOOK_SEARCH_DOCUMENTS"
SECTION_LEVELS = (1, 2, 3)  # deeper headings stay part of their parent section
# The references page names many subjects in titles; a chapter about a subject ranks above it.
BIBLIOGRAPHY_WEIGHT = 0.4
# Left out of the searchable text: program code, raw markup and TeX sources.
_SILENT = {"CodeBlock", "RawBlock", "RawInline", "Math", "HorizontalRule"}
_BREAKS = {"Space", "SoftBreak", "LineBreak"}
_BLOCKS = {
    "Para",
    "Plain",
    "Header",
    "Div",
    "BlockQuote",
    "BulletList",
    "OrderedList",
    "DefinitionList",
    "Figure",
    "Table",
    "LineBlock",
}


def _collect(value: Any, out: list[str]) -> None:
    if isinstance(value, list):
        for item in value:
            _collect(item, out)
        return
    if not isinstance(value, dict) or "t" not in value:
        return  # attributes and other plain data carry no text
    kind = value["t"]
    content: Any = value.get("c")  # Pandoc JSON: its shape depends on the kind
    if kind == "Str":
        out.append(content)
    elif kind == "Code":
        out.append(content[1])
    elif kind in _BREAKS or kind in _SILENT:
        out.append(" ")
    elif kind == "Cite":
        _collect(content[1], out)  # the rendered citation, not its prefix/suffix twice
    elif kind in ("Link", "Image", "Quoted"):
        _collect(content[1], out)
        out.append(" " if kind == "Image" else "")
    elif kind == "Note" or kind in _BLOCKS:
        out.extend([" ", *_texts(content), " "])
    else:
        _collect(content, out)


def _texts(value: Any) -> list[str]:
    out: list[str] = []
    _collect(value, out)
    return out


def plain_text(value: Any) -> str:
    """Readable text of blocks or inlines, blocks separated by spaces; code and TeX left out."""
    return " ".join("".join(_texts(value)).split())


def _heading(block: Node) -> tuple[int, str, str]:
    level, attr, inlines = block["c"]
    return level, attr[0], plain_text(inlines)


def chapter_label(chapter: Chapter) -> str:
    """What the results list shows for a chapter, e.g. "3 Methods" or "Appendix A Tables"."""
    if chapter.number and chapter.appendix:
        return f"Appendix {chapter.number} {chapter.title}"
    if chapter.number:
        return f"{chapter.number} {chapter.title}"
    return chapter.title


def section_documents(chapter: Chapter, blocks: list[Node]) -> list[dict[str, Any]]:
    """Split a chapter's top-level blocks at headings into one search document per section.

    Headings of `SECTION_LEVELS` start a new section; text before the first heading belongs
    to the chapter's opening section. Empty sections are kept only when they have a title.
    """
    label = chapter_label(chapter)
    sections: list[dict[str, Any]] = []
    current: dict[str, Any] = {"anchor": chapter.title_id, "section": label, "parts": []}

    def close() -> None:
        text = " ".join(current["parts"])
        if text or current["section"]:
            sections.append(
                {"anchor": current["anchor"], "section": current["section"], "text": text}
            )

    for block in blocks:
        if block.get("t") == "Header" and block["c"][0] in SECTION_LEVELS:
            level, ident, title = _heading(block)
            if level == 1 and not sections and not current["parts"]:
                current["anchor"] = ident or chapter.title_id
                continue
            close()
            current = {"anchor": ident, "section": title, "parts": []}
            continue
        text = plain_text(block)
        if text:
            current["parts"].append(text)
    close()
    documents = []
    for position, section in enumerate(sections):
        anchor = section["anchor"]
        documents.append(
            {
                "id": f"{chapter.page}#{position}",
                "url": f"{chapter.page}#{anchor}" if anchor and position else chapter.page,
                "page": chapter.page,
                "chapter": label,
                "section": section["section"] if position else label,
                "text": section["text"],
            }
        )
    return documents


def chapter_documents(chapter: Chapter, blocks: list[Node]) -> list[dict[str, Any]]:
    """A chapter's search documents (`blocks` is its final AST); the bibliography weighs less."""
    sections = section_documents(chapter, blocks)
    if _is_bibliography(blocks):
        for section in sections:
            section["weight"] = BIBLIOGRAPHY_WEIGHT
    return sections


def _is_bibliography(blocks: list[Node]) -> bool:
    return any(b.get("t") == "Div" and b["c"][0][0] == "refs" for b in blocks)


def index_script(documents: list[dict[str, Any]]) -> str:
    """The documents as a JavaScript file that sets `window.BOOK_SEARCH_DOCUMENTS`.

    JSON is valid JavaScript; `<`, `>` and `&` are written as escapes so no text from the
    book can close a script element or be mistaken for markup, and U+2028/U+2029 are escaped
    for older JavaScript parsers.
    """
    data = json.dumps(documents, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    for char in "<>&\u2028\u2029":
        data = data.replace(char, f"\\u{ord(char):04x}")
    return (
        f"// Search documents of the HTML edition (generated; one entry per section).\n"
        f"window.{GLOBAL_NAME} = {data};\n"
    )


__all__ = [
    "GLOBAL_NAME",
    "chapter_documents",
    "chapter_label",
    "index_script",
    "plain_text",
    "section_documents",
]
