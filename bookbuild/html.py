"""The HTML edition: one page per chapter with a sidebar of the whole book.

Pandoc converts each chapter's (already numbered and cited) AST to an HTML fragment; this
module wraps it in the book's page template. Everything a page needs is inside `_book/`.
"""

from __future__ import annotations

import html
import shutil
from pathlib import Path
from string import Template
from typing import Any

from bookbuild import pandoc
from bookbuild.ast import ids_in
from bookbuild.crossref import Chapter
from bookbuild.formats import header_ids, html_callouts, relink
from bookbuild.project import PACKAGE_DIR, Book

TEMPLATES = PACKAGE_DIR / "templates"
ASSETS = PACKAGE_DIR / "assets"


def page_name(path: Path) -> str:
    return path.with_suffix(".html").name


def _label(chapter: Chapter) -> str:
    title = html.escape(chapter.title)
    if chapter.number:
        return f'<span class="chapter-number">{chapter.number}</span> {title}'
    return title


def sidebar(chapters: list[Chapter], current: str) -> str:
    """The whole table of contents, parts and appendices grouped, current page marked."""
    lines = ['<ul class="toc">']
    part: str | None = None
    in_appendix = False
    for chapter in chapters:
        if chapter.appendix and not in_appendix:
            lines.append('<li class="toc-part">Appendices</li>')
            in_appendix = True
        elif chapter.part and chapter.part != part:
            lines.append(f'<li class="toc-part">{html.escape(chapter.part)}</li>')
        part = chapter.part
        attrs = ' aria-current="page" class="active"' if chapter.page == current else ""
        lines.append(f'<li><a href="{chapter.page}"{attrs}>{_label(chapter)}</a></li>')
    lines.append("</ul>")
    return "\n".join(lines)


def page_toc(blocks: list[Any]) -> str:
    items = [(level, ident, text) for level, ident, text in header_ids(blocks)
             if level in (2, 3) and ident]
    if len(items) < 2:
        return ""
    lines = ['<nav class="page-toc" aria-label="On this page"><h2>On this page</h2><ul>']
    for level, ident, text in items:
        lines.append(f'<li class="level-{level}"><a href="#{ident}">{html.escape(text)}</a></li>')
    lines.append("</ul></nav>")
    return "\n".join(lines)


def pager(chapters: list[Chapter], index: int) -> str:
    parts = ['<nav class="pager" aria-label="Chapters">']
    if index > 0:
        prev = chapters[index - 1]
        parts.append(f'<a class="prev" rel="prev" href="{prev.page}">← {_label(prev)}</a>')
    if index + 1 < len(chapters):
        nxt = chapters[index + 1]
        parts.append(f'<a class="next" rel="next" href="{nxt.page}">{_label(nxt)} →</a>')
    parts.append("</nav>")
    return "\n".join(parts)


def write_html(book: Book, chapters: list[Chapter], meta: dict[str, Any], out: Path,
               build_info: dict[str, str]) -> list[Path]:
    """Write every page and the assets into `out`; return the pages written."""
    template = Template((TEMPLATES / "page.html").read_text("utf-8"))
    pages: dict[str, str] = {}
    for chapter in chapters:
        for ident in ids_in(chapter.blocks):
            pages.setdefault(ident, chapter.page)
    written = []
    for index, chapter in enumerate(chapters):
        blocks = html_callouts(relink(chapter.blocks, pages, chapter.page))
        ast = {"pandoc-api-version": meta["pandoc-api-version"], "meta": {}, "blocks": blocks}
        body = pandoc.ast_to(ast, "html5", book.root, str(chapter.path), "--wrap=none",
                             "--mathml")
        page = template.substitute(
            lang=html.escape(book.lang),
            title=html.escape(f"{chapter.title} – {book.title}" if index else book.title),
            book_title=html.escape(book.title),
            book_subtitle=html.escape(book.subtitle),
            sidebar=sidebar(chapters, chapter.page),
            page_toc=page_toc(blocks),
            body=body,
            pager=pager(chapters, index),
            build=html.escape(build_info.get("summary", "")),
        )
        path = out / chapter.page
        path.write_text(page, "utf-8")
        written.append(path)
    shutil.copytree(ASSETS, out / "assets", dirs_exist_ok=True)
    return written
