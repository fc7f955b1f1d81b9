"""The HTML edition: one page per chapter with a sidebar of the whole book, and search.

Pandoc converts each chapter's (already numbered and cited) AST to an HTML fragment; this
module wraps it in the book's page template, writes the search documents and copies the
assets, including the vendored search library, so everything a page needs is inside `_book/`.
Every string that comes from the book (titles, labels) is escaped here; Pandoc escapes the body.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import quote

from bookbuild import PACKAGE_DIR
from bookbuild.config.page_includes import chapter_includes, html_includes
from bookbuild.config.project import Book
from bookbuild.config.thesis import Thesis, load_thesis
from bookbuild.document import pandoc
from bookbuild.document.ast import Node, copy_of, ids_in, stringify, walk
from bookbuild.document.chapter import Chapter
from bookbuild.document.conditional import HTML_NAMES, select
from bookbuild.errors import BuildError
from bookbuild.state.memo import Memo, chapter_inputs
from bookbuild.writers.caption_locations import caption_locations, chapter_locations
from bookbuild.writers.citation import PDF_NAME, head_meta, pdf_download, reader_block
from bookbuild.writers.code_copy import copy_mode, with_copy_buttons
from bookbuild.writers.html_floats import html_floats
from bookbuild.writers.html_sections import sectioned
from bookbuild.writers.html_tables import html_tables
from bookbuild.writers.languages import mark_chinese
from bookbuild.writers.previews import preview_script
from bookbuild.writers.repo_links import chapter_repo, repo_actions, repo_tool
from bookbuild.writers.rewrites import (
    header_ids,
    html_callouts,
    html_equations,
    html_margin_footnotes,
    html_margins,
    html_subfigures,
    html_tabsets,
    html_zoomable_figures,
    relink,
)
from bookbuild.writers.search import chapter_documents, index_script
from bookbuild.writers.short_captions import without_short_captions
from bookbuild.writers.typography import smart_text, zh_punctuation

TEMPLATES = PACKAGE_DIR / "writers" / "templates"
ASSETS = PACKAGE_DIR / "writers" / "assets"
SEARCH_LIBRARY = ("minisearch", "dist/umd/index.js", "LICENSE.txt")  # npm package, files
PAGE_TOC_MIN_ENTRIES = 3  # shorter chapters get no "On this page" list
# In the top bar of every page when the book offers its PDF (`book: downloads: [pdf]`).
PDF_LINK = (
    f'<a class="pdf-download" href="{PDF_NAME}" type="application/pdf" '
    'title="Download the thesis as PDF">'
    '<svg aria-hidden="true" focusable="false" width="16" height="16" '
    'viewBox="0 0 16 16"><path d="M8 2v8m-3.5-3.5L8 10l3.5-3.5M3 13h10" '
    'stroke="currentColor" stroke-width="1.7" stroke-linecap="round" '
    'stroke-linejoin="round" fill="none"/></svg>'
    '<span class="pdf-download-label">PDF</span></a>'
)


def page_name(path: Path) -> str:
    return path.with_suffix(".html").name


def _label(chapter: Chapter) -> str:
    title = html.escape(chapter.title)
    if chapter.number:
        return f'<span class="chapter-number">{html.escape(chapter.number)}</span> {title}'
    return title


def _href(page: str) -> str:
    """A page name as an attribute value (file names may hold `&` or quotes)."""
    return html.escape(quote(page))


def auto_identifier(inlines: list[Node]) -> str:
    """Pandoc's (so Quarto's) identifier of a heading from its text: lower case, letters,
    digits and `_-.` kept, spaces made hyphens, leading non-letters dropped; "section" when
    nothing is left. Footnotes and the section number the build put in are not part of it."""
    kept = [
        node
        for node in inlines
        if node["t"] != "Note"
        and not (node["t"] == "Span" and "header-section-number" in node["c"][0][1])
    ]
    text = "".join(c for c in stringify(kept).lower() if c.isspace() or c.isalnum() or c in "_-.")
    text = "-".join(text.split())
    while text and not text[0].isalpha():
        text = text[1:]
    return text or "section"


def with_header_ids(blocks: list[Node]) -> list[Node]:
    """A copy of `blocks` in which every heading has an id (for contents lists and search).

    Authors label only the headings they refer to; the others get Pandoc's automatic
    identifier (`auto_identifier`, as Quarto's are), `-1`, `-2`, ... added when the page
    already holds that id.
    """
    blocks = copy_of(blocks)
    taken = set(ids_in(blocks))
    for node in walk(blocks):
        if node["t"] == "Header" and not node["c"][1][0]:
            base = auto_identifier(node["c"][2])
            ident, count = base, 0
            while ident in taken:
                count += 1
                ident = f"{base}-{count}"
            taken.add(ident)
            node["c"][1][0] = ident
    return blocks


def _sections(blocks: list[Node], levels: tuple[int, ...]) -> list[tuple[int, str, str]]:
    return [
        (level, ident, text)
        for level, ident, text in header_ids(blocks)
        if level in levels and ident
    ]


def sidebar(
    chapters: list[Chapter], current: str, sections: list[tuple[str, str]] | None = None
) -> str:
    """The whole table of contents, parts and appendices grouped, current page marked.

    The current chapter also lists its `sections` ((id, title) of each level-2 heading), so
    on a phone (where the right-hand contents column is hidden) the sidebar is the chapter's
    contents too.
    """
    lines = ['<ul class="toc">']
    part: str | None = None
    in_appendix = False
    for chapter in chapters:
        if chapter.appendix and not in_appendix:
            lines.append('<li class="toc-part">Appendices</li>')
            in_appendix = True
        elif not chapter.appendix and chapter.part and chapter.part != part:
            lines.append(f'<li class="toc-part">{html.escape(chapter.part)}</li>')
        part = chapter.part
        if chapter.page != current:
            lines.append(f'<li><a href="{_href(chapter.page)}">{_label(chapter)}</a></li>')
            continue
        lines.append(
            f'<li class="active"><a href="{_href(chapter.page)}" aria-current="page">'
            f"{_label(chapter)}</a>"
        )
        if sections:
            lines.append('<ul class="toc-sections">')
            lines.extend(
                f'<li><a href="#{html.escape(ident)}">{html.escape(text)}</a></li>'
                for ident, text in sections
            )
            lines.append("</ul>")
        lines.append("</li>")
    lines.append("</ul>")
    return "\n".join(lines)


def page_toc(blocks: list[Any], title: str = "On this page") -> str:
    """The "On this page" list of a long chapter (level-2 and level-3 headings); `title`:
    `language: toc-title-website`, as in Quarto's books."""
    items = _sections(blocks, (2, 3))
    if len(items) < PAGE_TOC_MIN_ENTRIES:
        return ""
    lines = [
        '<nav class="page-toc" aria-labelledby="page-toc-title">',
        f'<h2 id="page-toc-title">{html.escape(title)}</h2><ul>',
    ]
    for level, ident, text in items:
        lines.append(
            f'<li class="level-{level}"><a href="#{html.escape(ident)}">'
            f"{html.escape(text)}</a></li>"
        )
    lines.append("</ul></nav>")
    return "\n".join(lines)


def pager(chapters: list[Chapter], index: int) -> str:
    parts = ['<nav class="pager" aria-label="Previous and next chapter">']
    if index > 0:
        prev = chapters[index - 1]
        parts.append(
            f'<a class="prev" rel="prev" href="{_href(prev.page)}">'
            f'<span class="pager-dir">Previous</span>'
            f'<span class="pager-title">{_label(prev)}</span></a>'
        )
    if index + 1 < len(chapters):
        nxt = chapters[index + 1]
        parts.append(
            f'<a class="next" rel="next" href="{_href(nxt.page)}">'
            f'<span class="pager-dir">Next</span>'
            f'<span class="pager-title">{_label(nxt)}</span></a>'
        )
    parts.append("</nav>")
    return "\n".join(parts)


def canonical_url(book: Book, page: str) -> str:
    """A page's canonical address, as Quarto writes it (`canonical-url` under format: html):
    `site-url` and the page (the index page's: the site's address, ending in `/`), or the
    URL given; empty when off or without `site-url`."""
    setting = book.html.get("canonical-url", False)
    if isinstance(setting, str):
        return setting
    if setting is not True or not book.site_url:
        return ""
    base = book.site_url.rstrip("/")
    return f"{base}/" if page == "index.html" else f"{base}/{quote(page)}"


def head_links(chapters: list[Chapter], index: int, canonical: str = "") -> str:
    """The page's `<link>`s in its head: previous and next page, and its `canonical` URL."""
    links = [f'<link rel="canonical" href="{html.escape(canonical)}">'] if canonical else []
    if index > 0:
        links.append(f'<link rel="prev" href="{_href(chapters[index - 1].page)}">')
    if index + 1 < len(chapters):
        links.append(f'<link rel="next" href="{_href(chapters[index + 1].page)}">')
    return "\n".join(links)


def thesis_lines(thesis: Thesis) -> list[str]:
    """The degree statement and the supervisors, as the title page of the PDF gives them."""
    label = "Supervisor" if len(thesis.supervisors) == 1 else "Supervisors"

    def text(value: str) -> str:
        return html.escape(smart_text(value))

    return [
        f'<p class="thesis-statement">{text(thesis.kind)} submitted to the '
        f"{text(thesis.faculty)}, {text(thesis.institution)}, in partial "
        "fulfilment of the requirements for the degree of "
        f"{text(thesis.degree)}</p>",
        f'<p class="supervisors">{label}: {text(", ".join(thesis.supervisors))}</p>',
    ]


def title_block(book: Book, thesis: Thesis | None = None) -> str:
    """The book's title, subtitle, authors and date, shown above the first page; for a
    thesis also its degree statement and supervisors."""
    lines = ['<header class="title-block">', f'<p class="title">{html.escape(book.title)}</p>']
    if book.subtitle:
        lines.append(f'<p class="subtitle">{html.escape(book.subtitle)}</p>')
    if book.authors:
        lines.append(f'<p class="authors">{html.escape(smart_text(", ".join(book.authors)))}</p>')
    if thesis is not None:
        lines.extend(thesis_lines(thesis))
    if book.date:
        lines.append(f'<p class="date">{html.escape(book.date)}</p>')
    lines.append("</header>")
    return "\n".join(lines)


def find_npm_package(name: str, book_root: Path) -> Path:
    """The installed npm package `name` (under some `node_modules/` above the book or the build).

    Its version must be the one `package-lock.json` pins next to that `node_modules/`;
    otherwise (or when it is missing) the build stops and says to run `make` (`npm ci`).
    """
    roots = [book_root, *book_root.parents, PACKAGE_DIR.parent]
    for root in roots:
        package = root / "node_modules" / name
        if (package / "package.json").is_file():
            lock = root / "package-lock.json"
            if lock.is_file():
                pinned = (
                    json.loads(lock.read_text("utf-8"))
                    .get("packages", {})
                    .get(f"node_modules/{name}", {})
                    .get("version")
                )
                installed = json.loads((package / "package.json").read_text("utf-8"))["version"]
                if pinned and pinned != installed:
                    raise BuildError(
                        f"npm package {name} {installed} is installed but "
                        f"package-lock.json pins {pinned}: run `make` "
                        "(it runs `npm ci`)",
                        package,
                    )
            return package
    raise BuildError(
        f"the npm package '{name}' (the HTML edition's search library) is not "
        f"installed: no node_modules/{name} above {book_root} or "
        f"{PACKAGE_DIR.parent}; run `make` (it runs `npm ci`)"
    )


def copy_assets(out: Path, book_root: Path) -> None:
    """The house stylesheet and scripts, and the vendored search library with its licence."""
    name, script, licence = SEARCH_LIBRARY
    package = find_npm_package(name, book_root)
    shutil.copytree(
        ASSETS,
        out / "assets",
        dirs_exist_ok=True,  # the preview's own script
        ignore=shutil.ignore_patterns("livereload.js"),
    )  # is never published
    vendor = out / "assets" / "vendor"
    vendor.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(package / script, vendor / f"{name}.js")
    shutil.copyfile(package / licence, vendor / f"{name}.LICENSE.txt")
    # The Chinese web font's stylesheet, linked from every page; `bookbuild.webfont` replaces
    # this placeholder when it subsets a font for the edition.
    fonts = out / "assets" / "fonts" / "cjk.css"
    if not fonts.exists():
        fonts.parent.mkdir(parents=True, exist_ok=True)
        fonts.write_text("/* no Chinese web font in this edition */\n", "utf-8")


def stripe_rows(body: str) -> str:
    """Quarto's `odd`/`even` classes on the body rows of each table (CSS written for Quarto
    stripes tables by them); rows that already carry attributes are left as they are."""

    def stripe(match: re.Match[str]) -> str:
        count = iter(range(len(match[0])))
        return re.sub(
            r"<tr>",
            lambda _: f'<tr class="{"odd" if next(count) % 2 == 0 else "even"}">',
            match[0],
        )

    return re.sub(r"<tbody>.*?</tbody>", stripe, body, flags=re.S)


def wrap_tables(body: str) -> str:
    """Put every table of a Pandoc HTML fragment in a box that scrolls sideways when too wide."""
    body = re.sub(r"<table(?=[\s>])", '<div class="table-wrap"><table', body)
    return body.replace("</table>", "</table></div>")


def link_targets(blocks: list[Node]) -> list[str]:
    """The ids that `#id` links in `blocks` point at."""
    return sorted(
        {
            node["c"][2][0][1:]
            for node in walk(blocks)
            if node["t"] == "Link" and node["c"][2][0].startswith("#")
        }
    )


def chapter_html(
    chapter: Chapter,
    pages: dict[str, str],
    api: list[int],
    root: Path,
    lang: str = "en",
    locations: dict[str, str] | None = None,
    margin_notes: bool = False,
    first: bool = False,
) -> dict[str, Any]:
    """One chapter's page parts: body HTML, "On this page" list, sidebar sections, search
    documents. `pages` gives, for each id the chapter links to, the page that holds it;
    passages in another language than the book's `lang` are marked with theirs; `locations`:
    where captions go when not in Quarto's default place (`caption_locations`); `first`: the
    book's first page, whose first-level headings are sections (a chapter's is its title)."""
    blocks = select(relink(chapter.blocks, pages, chapter.page), HTML_NAMES)
    blocks = without_short_captions(blocks)
    blocks = html_subfigures(html_callouts(html_tabsets(with_header_ids(blocks))))
    blocks = html_equations(html_zoomable_figures(html_margins(blocks)))
    if margin_notes:  # `reference-location: margin`
        blocks = html_margin_footnotes(blocks)
    documents = chapter_documents(chapter, blocks)  # before floats become raw markup
    processing = chapter.meta.get("html-table-processing")
    blocks = html_floats(html_tables(blocks, locations, processing), locations)
    toc = page_toc(blocks, chapter.words.get("toc-title-website", "On this page"))
    sections = [(ident, text) for _, ident, text in _sections(blocks, (2,))]
    ast = {
        "pandoc-api-version": api,
        "meta": {},
        "blocks": zh_punctuation(sectioned(mark_chinese(blocks, lang), title=not first)),
    }
    body = pandoc.ast_to(ast, "html5", root, str(chapter.path), "--wrap=none", "--mathml")
    return {
        "body": wrap_tables(stripe_rows(body)),
        "toc": toc,
        "sections": sections,
        "documents": documents,
    }


def page_template() -> Template:
    """The book's page template (`templates/page.html`)."""
    return Template((TEMPLATES / "page.html").read_text("utf-8"))


def page_html(
    book: Book,
    chapters: list[Chapter],
    index: int,
    parts: dict[str, Any],
    template: Template,
    build_info: dict[str, str],
    thesis: Thesis | None,
    pdf: bool,
    includes: dict[str, str] | None = None,
) -> str:
    """The page of `chapters[index]`: its converted `parts` (see `chapter_html`) in the
    template, with the book's sidebar, pager and, on the first page, the title block
    (`thesis`: `load_thesis(book)`; `pdf`: `pdf_download(book)`; `includes`:
    `html_includes(book.root)`, read here when not given)."""
    chapter = chapters[index]
    toc = parts["toc"]
    written = any(ref.path == chapter.path for ref in book.chapters)  # not the colophon
    repo = chapter_repo(book.repo, chapter.meta) if written else None
    actions = repo_actions(repo, chapter.path, chapter.words)
    if actions and toc:
        toc = toc.removesuffix("</nav>") + actions + "</nav>"  # under the list, as Quarto
    includes = html_includes(book.root) if includes is None else includes
    own = chapter_includes(book.root, chapter.meta, chapter.path, chapter.source)
    includes = {k: includes.get(k, "") + own.get(k, "") for k in {*includes, *own}}
    return template.substitute(
        include_in_header=includes.get("include-in-header", ""),
        include_before_body=includes.get("include-before-body", ""),
        include_after_body=includes.get("include-after-body", ""),
        lang=html.escape(book.lang),
        title=html.escape(f"{chapter.title} – {book.title}" if index else book.title),
        description=html.escape(book.subtitle or book.title),
        head_links=head_links(chapters, index, canonical_url(book, chapter.page)),
        book_title=html.escape(book.title),
        sidebar=sidebar(chapters, chapter.page, parts["sections"]),
        page_toc=toc,
        page_actions="" if toc else actions,
        repo_tool=repo_tool(book.repo, chapter.words),
        layout_class="layout has-page-toc" if toc else "layout",
        head_meta=head_meta(book, thesis, pdf) if index == 0 and thesis else "",
        pdf_link=PDF_LINK if pdf else "",
        title_block=(
            title_block(book, thesis) + (reader_block(book, thesis, pdf) if thesis else "")
        )
        if index == 0
        else "",
        body=with_copy_buttons(parts["body"], copy_mode(option(book, chapter, "code-copy"))),
        pager=pager(chapters, index),
        build=html.escape(build_info.get("summary", "")),
    )


def html_job(
    book: Book,
    chapter: Chapter,
    pages: dict[str, str],
    api: list[int],
    locations: dict[str, str] | None,
    first: bool = False,
) -> tuple[list[Any], Callable[[], dict[str, Any]]]:
    """A chapter's conversion to its page parts (`chapter_html`), not yet run, and the
    inputs it depends on (its key in the render store). `pages`: the page holding each id
    of the book; `locations`: `caption_locations` of the book (a chapter's front matter may
    move its own); `first`: the chapter is the book's first page."""
    locations = chapter_locations(locations or {}, book.metadata, chapter.meta) or None
    links = {ident: pages.get(ident) for ident in link_targets(chapter.blocks)}
    inputs = [chapter_inputs(chapter), links, api, book.lang, *([locations] if locations else [])]
    margin = reference_location(book, chapter) == "margin"
    inputs += ["margin-notes"] if margin else []
    inputs += ["first"] if first else []
    found = {k: v for k, v in links.items() if v}
    return inputs, lambda: chapter_html(
        chapter, found, api, book.root, book.lang, locations, margin, first
    )


def option(book: Book, chapter: Chapter, key: str) -> Any:
    """A document option for one chapter's page: its front matter's, else `format: html:`'s,
    else `_quarto.yml`'s top level's, else None (a chapter's `meta` holds the top level's
    too, so only a value of its own counts)."""
    top = book.metadata.get(key)
    own = chapter.meta.get(key)
    if own is not None and own != top:
        return own
    return book.html.get(key, top)


def reference_location(book: Book, chapter: Chapter) -> str:
    """Where a chapter's footnotes go in HTML (`option`; "document" when none is given)."""
    return str(option(book, chapter, "reference-location") or "document")


def write_html(
    book: Book,
    chapters: list[Chapter],
    meta: dict[str, Any],
    out: Path,
    build_info: dict[str, str],
    memo: Memo | None = None,
    jobs: int = 1,
) -> list[Path]:
    """Write every page, the search documents and the assets into `out`; return the pages.

    Chapters are converted `jobs` at a time. With a `memo`, a chapter whose AST, place and
    link targets did not change since the last build is not converted again.
    """
    memo = memo or Memo(None)
    thesis = load_thesis(book)
    pdf = pdf_download(book)
    copy_assets(out, book.root)
    template = page_template()
    includes = html_includes(book.root)
    pages: dict[str, str] = {}
    for chapter in chapters:
        for ident in ids_in(chapter.blocks):
            pages.setdefault(ident, chapter.page)
    api = meta["pandoc-api-version"]
    locations = caption_locations(book.html, book.metadata)

    def parts_of(chapter: Chapter) -> dict[str, Any]:
        first = chapter is chapters[0]
        inputs, convert = html_job(book, chapter, pages, api, locations, first)
        return memo("html", str(chapter.path), inputs, convert)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:  # Pandoc runs in parallel
        rendered = list(pool.map(parts_of, chapters))
    written, documents = [], []
    for index, (chapter, parts) in enumerate(zip(chapters, rendered, strict=True)):
        path = out / chapter.page
        page = page_html(book, chapters, index, parts, template, build_info, thesis, pdf, includes)
        path.write_text(page, "utf-8")
        written.append(path)
        documents.extend(parts["documents"])
    (out / "assets" / "search-index.js").write_text(index_script(documents), "utf-8")
    (out / "assets" / "preview-data.js").write_text(preview_script(chapters), "utf-8")
    return written
