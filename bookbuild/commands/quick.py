"""The one-page rebuild of a one-chapter save in `thesis preview`.

A save that changes only one chapter's prose, or its code without changing its headings,
labels, floats or citations, changes only that chapter's page: its number, its headings,
its labels, the ids other pages link to and its citations stay as they were, so every other
page, and the numbers and links on this one, come out as before. `QuickPages` keeps, from a
whole-book assembly done after each full build, what one page needs from the rest of the
book (every chapter's number and title, the cross-reference targets, which page holds each
id, citeproc's results). On a save it rebuilds the saved chapter alone — read, execute it if
its code changed (with `execute`: a kernel of its own, the cache entry written as the build
writes it), weave, parse, number in its place, resolve its references, put its citations
back, convert — checks that nothing the rest of the book reads from it changed, and writes
its new figures and its page into the published edition. When anything else changed (a
heading, a label, a float, a citation, an output's name, any file but one chapter), it
answers None and the preview builds the whole HTML edition instead (reusing the execution).

The steps are the build's own functions: `prime` runs `build.parse_book` and
`build.number_editions` (what `build.assemble` runs), and a save runs, for its chapter,
`build.execute_runs`, `build.chapter_text`, `build.chapter_of`, `build.prepare` and the HTML
writer's `html_job` and `page_html`; only numbering in place and putting citeproc's results
back are this module's. The full build that follows in the background writes the same page
and figures byte for byte (tested, and checked by the preview after every full build:
`differs`), with the search index, the provenance record and the PDF.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from string import Template
from typing import Any

from bookbuild.commands.build import (
    ChapterRun,
    build_info,
    chapter_defaults,
    chapter_of,
    chapter_text,
    execute_runs,
    needs_kernel,
    number_editions,
    parse_book,
    plan,
    prepare,
    write_files,
)
from bookbuild.commands.progress import Reporter
from bookbuild.config.names import check_names
from bookbuild.config.project import Book, load_book
from bookbuild.config.thesis import Thesis, load_thesis
from bookbuild.document import pandoc
from bookbuild.document.ast import Node, Str, copy_of, ids_in, walk
from bookbuild.document.chapter import Chapter, Target
from bookbuild.document.citations import citation_outline
from bookbuild.document.conditional import HTML_NAMES, format_dependent, resolve_meta, select
from bookbuild.document.crossref import check_attrs, number_book, resolve_references
from bookbuild.document.custom_kinds import custom_keys
from bookbuild.document.environment import Environment, describe
from bookbuild.document.resources import edition_files
from bookbuild.execute import cache
from bookbuild.execute.checksums import check_raw_reads
from bookbuild.execute.weave import Woven, weave
from bookbuild.source.qmd import Document, errors_at_origin, read_qmd
from bookbuild.state import store
from bookbuild.state.memo import Memo
from bookbuild.state.records import CacheRecord
from bookbuild.writers.caption_locations import caption_locations
from bookbuild.writers.citation import pdf_download
from bookbuild.writers.html import html_job, page_html, page_template


@dataclass
class _Known:
    """One chapter as the last assembly left it, and what the rest of the book reads from it."""

    doc: Document | None  # None for the colophon, which no save edits
    notebook: Any  # its cached notebook (None when it has nothing to execute)
    record: CacheRecord | None  # and the cache record
    files: dict[str, bytes]  # what weaving it wrote (figures, tables)
    chapter: Chapter  # numbered, references resolved, citations in place
    targets: dict[str, Target]  # the labels it defines
    outline: list[Any]  # its citations before citeproc (what citeproc's results depend on)
    cited: list[Any]  # citeproc's content of each of its Cites, then of each reference list
    ids: list[str]  # every id on its page, in order
    dependent: bool  # whether its conditional content holds numbered things


@dataclass
class _Book:
    """The last whole-book assembly: what a page needs from the rest of the book."""

    book: Book
    env: Environment
    api: list[int]
    known: list[_Known]  # the book's chapters, in order (the colophon last, not editable)
    targets: dict[str, Target]
    bib_keys: set[str]
    bib_files: tuple[Path, ...]  # the files searched for them
    citing: bool  # whether the book ran citeproc at all
    generated: set[str]
    resources: set[str]
    pages: dict[str, str]  # id -> page that holds it (the first one)
    thesis: Thesis | None
    pdf: bool
    template: Template
    locations: dict[str, str] | None  # `caption_locations` of the book
    written: dict[str, bytes] = field(default_factory=dict)  # page -> what we wrote


def _stub(chapter: Chapter) -> Chapter:
    """A stand-in that numbers like `chapter` (numbered or not, appendix or not) and
    defines nothing: numbering a chapter in its place needs no more of those before it."""
    classes = [] if chapter.number else ["unnumbered"]
    header: Node = {"t": "Header", "c": [1, ["", classes, []], [Str("stub")]]}
    return Chapter(chapter.path, chapter.page, chapter.appendix, chapter.part, "", [header])


def _cited_content(chapter: Chapter) -> list[Any]:
    nodes = [n for n in walk(chapter.blocks) if n["t"] == "Cite" or _is_refs(n)]
    return [n["c"] for n in nodes if n["t"] == "Cite"] + [n["c"] for n in nodes if _is_refs(n)]


def _put_cited(chapter: Chapter, content: list[Any]) -> None:
    """Put `_cited_content` of an earlier version back (copied: pages are made from it)."""
    nodes = [n for n in walk(chapter.blocks) if n["t"] == "Cite" or _is_refs(n)]
    ordered = [n for n in nodes if n["t"] == "Cite"] + [n for n in nodes if _is_refs(n)]
    for node, value in zip(ordered, copy_of(content), strict=True):
        node["c"] = value


def _is_refs(node: Node) -> bool:
    return node["t"] == "Div" and node["c"][0][0] == "refs"


class QuickPages:
    """Rebuilds the page of a chapter whose save changed nothing the rest of the book reads."""

    def __init__(self, root: Path, execute: bool = False) -> None:
        self.root = root
        self.execute = execute  # a save that changes one chapter's code executes it here
        self.executed = ""  # the chapter the last rebuild executed, if any
        self._book: _Book | None = None
        self._unsaved: list[tuple[Path, str, str, Any, Any]] = []
        self._written = threading.Lock()  # `differs` runs in the background build's thread
        self.timings: dict[str, float] = {}
        self.why = ""  # why the last save needs the whole book built

    def forget(self) -> None:
        self._book = None

    def prime(self) -> bool:
        """Assemble the whole book from the caches, as the last full build did, and keep
        what a page needs. False (and nothing kept) when a chapter would have to execute:
        the next save then builds the whole edition."""
        self._book = None
        book = load_book(self.root)
        docs: list[Document] = []
        with errors_at_origin(docs):
            docs[:] = [read_qmd(book.root, ref.path) for ref in book.chapters]
            runs = plan(book, docs, use_cache=True)
            if any(run.executed for run in runs):
                return False
            woven = [self._weave(book, run.doc, run.notebook, run.record) for run in runs]
            generated = {name for w in woven for name in w.files}
            resources = edition_files(book.root, docs, generated, book.output_dir)
            env = describe(book.root, book.record_versions)
            parsed, api = parse_book(
                book, runs, woven, 1, env, book.root / store.AST_DIR, frozenset(resources)
            )
            custom = custom_keys(book.metadata)
            split = [format_dependent(c.blocks, custom | custom_keys(c.meta)) for c in parsed]
            editions = number_editions(book, parsed, api, Memo(book.root / store.RENDER_DIR))
        numbered = editions["html"]
        chapters = numbered.chapters
        pages: dict[str, str] = {}
        known = []
        for index, chapter in enumerate(chapters):
            ids = ids_in(chapter.blocks)
            for ident in ids:
                pages.setdefault(ident, chapter.page)
            mine = {k: t for k, t in numbered.targets.items() if t.page == chapter.page}
            run = runs[index] if index < len(runs) else None
            known.append(
                _Known(
                    run.doc if run else None,
                    run.notebook if run else None,
                    run.record if run else None,
                    woven[index].files if run else {},
                    chapter,
                    mine,
                    citation_outline(chapter.blocks),
                    _cited_content(chapter),
                    ids,
                    split[index],
                )
            )
        self._book = _Book(
            book,
            env,
            api,
            known,
            numbered.targets,
            numbered.bib_keys,
            numbered.bib_files,
            numbered.citing,
            generated,
            set(resources),
            pages,
            load_thesis(book),
            pdf_download(book),
            page_template(),
            caption_locations(book.html, book.metadata),
        )
        return True

    def rebuild(self, files: list[Path]) -> str | None:
        """The page written for a prose-only save of one chapter, or None when the save
        needs the whole book built (then nothing was written). `timings` says where the
        time went; call `settle` before the next build, to store what it can reuse."""
        state = self._book
        self.timings, self.why, self.executed = {}, "", ""
        if state is None or len(files) != 1:
            self.why = "not primed" if state is None else "more than one file changed"
            return None
        book = state.book
        index = next(
            (i for i, ref in enumerate(book.chapters) if book.root / ref.path == files[0]), None
        )
        if index is None:
            self.why = "not a chapter"
            return None
        mark = time.perf_counter()

        def lap(name: str) -> None:
            nonlocal mark
            now = time.perf_counter()
            self.timings[name] = now - mark
            mark = now

        old = state.known[index]
        ref = book.chapters[index]
        if not (book.output_dir / old.chapter.page).is_file():
            self.why = "its page is not in the edition"  # _book/ gone or replaced
            return None
        docs = [k.doc for k in state.known if k.doc is not None]
        with errors_at_origin(docs), ThreadPoolExecutor(max_workers=2) as pool:
            doc = read_qmd(book.root, ref.path)
            docs[index] = doc
            if old.doc is None or (doc.bibliography, doc.csl) != (
                old.doc.bibliography,
                old.doc.csl,
            ):
                self.why = "its bibliography or style changed"  # keys and entries book-wide
                return None
            env = pool.submit(describe, book.root, book.record_versions)  # git, meanwhile
            check_names(book.config_path, docs, book.config_path.read_text("utf-8"))
            defaults = chapter_defaults(book, doc)
            # the cache entry's other inputs are files: a change to one is a save of more
            # than this chapter, which never comes here
            if needs_kernel(doc, defaults) != (old.record is not None):
                self.why = "code came or went"
                return None
            notebook, record = old.notebook, old.record
            if old.record is not None and old.record["code"] != cache.code_key(doc, defaults):
                if not self.execute:
                    self.why = "code changed"  # it must execute
                    return None
                notebook, record = self._execute(book, doc)
                self.executed = str(doc.path)
                lap("execute")
            woven = self._weave(book, doc, notebook, record)
            if woven.files.keys() != old.files.keys():
                self.why = "outputs came or went"  # other names in the edition
                return None
            outputs = {k: v for k, v in woven.files.items() if old.files[k] != v}
            if outputs and not self.executed:
                self.why = "outputs changed"  # never expected from an unchanged notebook
                return None
            lap("read and weave")
            shipped = pool.submit(edition_files, book.root, docs, state.generated, book.output_dir)
            # what `pandoc.markdown_to_ast` does, keeping Pandoc's text for the parse cache
            # (numbering changes `ast` in place)
            text, title_line = chapter_text(doc, woven)
            parsed = pandoc.run(
                ["-f", pandoc.MARKDOWN, "-t", "json"], text, book.root, str(doc.path)
            )
            ast = json.loads(parsed)
            if env.result() != state.env:
                self.why = "new source revision"  # on every page's foot
                return None
            if set(shipped.result()) != state.resources:
                self.why = "an image or resource came or went"
                return None
            lap("parse")
            chapter = chapter_of(book, index, doc, ast["blocks"], title_line)
            prepare([chapter], book, state.generated, state.resources)
            custom = custom_keys(book.metadata) | custom_keys(chapter.meta)
            dependent = format_dependent(chapter.blocks, custom)
            if dependent != old.dependent:
                self.why = "numbered things came into or left conditional content"
                return None
            if any(k.dependent for k in state.known):  # each edition numbered apart: this
                # one's copy holds only its content (as `edition_copies` makes it)
                chapter.blocks = select(resolve_meta(chapter.blocks, chapter.meta), HTML_NAMES)
            check_attrs([chapter])
            before = [_stub(k.chapter) for k in state.known[:index]]
            mine = number_book([*before, chapter], book.metadata.get("crossref"), book.config_path)
            shape = (chapter.number, chapter.title, chapter.title_id, chapter.sections)
            was = (
                old.chapter.number,
                old.chapter.title,
                old.chapter.title_id,
                old.chapter.sections,
            )
            if shape != was or mine != old.targets:
                self.why = "a heading, label or float changed"  # numbers move
                return None
            resolve_references([chapter], state.targets, state.bib_keys, state.bib_files)
            outline = citation_outline(chapter.blocks)
            if outline != old.outline:
                self.why = "citations changed"  # results change anywhere
                return None
            if state.citing:
                _put_cited(chapter, old.cited)
            ids = ids_in(chapter.blocks)
            if ids != old.ids:
                self.why = "ids changed"  # links elsewhere may point here
                return None
            lap("number, refer, cite")
            chapters = [k.chapter for k in state.known]
            chapters[index] = chapter
            html_key, convert = html_job(
                book, chapter, state.pages, state.api, state.locations, index == 0
            )
            parts = json.loads(json.dumps(convert()))  # the types a stored result has
            page = page_html(
                book,
                chapters,
                index,
                parts,
                state.template,
                build_info(state.env),
                state.thesis,
                state.pdf,
            )
            lap("convert")
        data = page.encode("utf-8")
        # its new figures and tables first (the edition's and the project's figures/, as the
        # full build writes them), then the page that shows them
        write_files(outputs, book.output_dir, book.root)
        store.atomic_write(book.output_dir / chapter.page, data)
        lap("write")
        state.known[index] = replace(
            old,
            doc=doc,
            notebook=notebook,
            record=record,
            files=woven.files,
            chapter=chapter,
            outline=outline,
        )
        with self._written:
            state.written[chapter.page] = data
        self._unsaved = [
            (store.AST_DIR, "parse", str(doc.path), [pandoc.MARKDOWN, text], parsed),
            (store.RENDER_DIR, "html", str(chapter.path), html_key, parts),
        ]
        return chapter.page

    def settle(self) -> None:
        """Store the last page's parse and conversion where the full build looks for them
        (after the page is shown: hashing a chapter's AST for the key takes a while)."""
        unsaved, self._unsaved = self._unsaved, []
        root = self._book.book.root if self._book else self.root
        for folder, kind, what, inputs, value in unsaved:  # a parse is kept as Pandoc's text
            Memo(root / folder)(kind, what, inputs, _loaded(value))

    def differs(self) -> list[str]:
        """Pages this preview wrote that the published edition now holds differently (the
        full build disagreed: a fault of this module). Forgets what it checked."""
        state = self._book
        if state is None:
            return []
        wrong = []
        with self._written:
            for page, data in state.written.items():
                try:
                    if (state.book.output_dir / page).read_bytes() != data:
                        wrong.append(page)
                except OSError:
                    wrong.append(page)
            state.written.clear()
        return wrong

    def _execute(self, book: Book, doc: Document) -> tuple[Any, CacheRecord]:
        """Execute one chapter as the build does (a kernel of its own, the cache entry
        written, its raw reads checked): the full build that follows reuses the entry."""
        run = ChapterRun(doc, None, None, executed=True, reasons=["its code changed"])
        execute_runs(book, [run], 1, Reporter(quiet=True))
        check_raw_reads(book.root, [(doc.path, run.record)], book.checksums, book.checksums_update)
        assert run.record is not None
        return run.notebook, run.record

    def _weave(self, book: Book, doc: Document, notebook: Any, record: CacheRecord | None) -> Woven:
        import nbformat

        return weave(
            doc,
            notebook or nbformat.v4.new_notebook(),
            chapter_defaults(book, doc),
            record["reads"] if record else None,
            "figures-labelled" in book.house_rules,
        )


def _loaded(value: Any) -> Callable[[], Any]:
    """What a memo stores for `value`: a parse kept as Pandoc's JSON text is read when needed."""
    return lambda: json.loads(value) if isinstance(value, str) else value


__all__ = ["QuickPages"]
