"""The build: sources and data in, an HTML edition and a PDF out, published atomically.

Stages: read the book and parse every chapter (all errors before any work) -> execute the
chapters whose cache entries are stale, in parallel, one fresh kernel each -> weave outputs
into markdown -> parse with Pandoc -> number and resolve references over the whole book ->
citeproc once -> write HTML pages and the Typst PDF from the same AST -> swap into `_book/`.
Between builds, `.bookbuild/` keeps each chapter's parse, citeproc's results and each
chapter's HTML and Typst, so an edit redoes only the work whose inputs it changed; a build
with nothing to execute and nothing changed renders nothing (`uptodate`).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from bookbuild.commands.progress import Reporter
from bookbuild.config import language, page_includes
from bookbuild.config.language import chapter_words
from bookbuild.config.names import check_names
from bookbuild.config.project import Book, load_book
from bookbuild.document import pandoc
from bookbuild.document.ast import ids_in
from bookbuild.document.chapter import Chapter, Target
from bookbuild.document.citations import book_bibliography, check_entries, check_styles, cite_book
from bookbuild.document.colophon import PAGE as COLOPHON
from bookbuild.document.colophon import colophon_markdown
from bookbuild.document.conditional import edition_copies
from bookbuild.document.crossref import (
    bibliography_keys,
    check_attrs,
    number_book,
    resolve_references,
)
from bookbuild.document.custom_kinds import custom_keys
from bookbuild.document.environment import Environment, describe
from bookbuild.document.escaped_cells import mark_fences
from bookbuild.document.provenance import provenance
from bookbuild.document.resources import check_not_overwritten, edition_files, point_images
from bookbuild.document.titles import title_markdown
from bookbuild.errors import BuildError
from bookbuild.execute import cache, kernel, warm
from bookbuild.execute.checksums import check_raw_reads
from bookbuild.execute.kernel import (
    build_notebook,
    dependencies_of,
    execute_notebook,
    planned_cells,
)
from bookbuild.execute.weave import Woven, weave
from bookbuild.source.qmd import Document, errors_at_origin, read_qmd
from bookbuild.source.shortcodes import load_context
from bookbuild.state import edition, store
from bookbuild.state.memo import Memo
from bookbuild.state.publish import (
    build_lock,
    check_replaceable,
    clean_stale_staging,
    publish,
    staging_dir,
)
from bookbuild.state.records import CacheRecord, LastBuild
from bookbuild.writers.html import page_name, write_html
from bookbuild.writers.pdf import compile_pdf, typst_source
from bookbuild.writers.rewrites import hoist_callout_titles
from bookbuild.writers.webfont import start_webfont

FORMATS = ("html", "pdf")


@dataclass
class ChapterRun:
    doc: Document
    notebook: nbformat.NotebookNode | None
    record: CacheRecord | None
    executed: bool
    reasons: list[str] = field(default_factory=list)


@dataclass
class BuildReport:
    output: Path
    runs: list[ChapterRun]
    timings: dict[str, float]
    kernels_started: int
    wall_s: float = 0.0
    rendered: bool = True
    rendered_chapters: dict[str, list[str]] = field(default_factory=dict)  # by format

    def summary(self) -> LastBuild:
        """The report as `.bookbuild/last-build.json` keeps it."""
        return {
            "output": str(self.output),
            "kernels_started": self.kernels_started,
            "executed": {str(r.doc.path): r.reasons for r in self.runs if r.executed},
            "rendered": self.rendered,
            "rendered_chapters": self.rendered_chapters,
            "wall_s": round(self.wall_s, 3),
            "timings_s": {k: round(v, 3) for k, v in self.timings.items()},
        }


def chapter_defaults(book: Book, doc: Document) -> dict[str, Any]:
    """The execute defaults for one chapter: its front matter's `execute:` over the book's,
    over the code-folding defaults of `format: html:` (which `weave` reads)."""
    folding = {k: v for k, v in book.html.items() if k in ("code-fold", "code-summary")}
    words = chapter_words(book.root, {**book.metadata, **doc.front_matter}, doc.path)
    if "code-summary" in words:  # `language: code-summary`, under the format's own
        folding.setdefault("code-summary", words["code-summary"])
    return {**folding, **book.execute, **(doc.front_matter.get("execute") or {})}


def needs_kernel(doc: Document, defaults: dict[str, Any]) -> bool:
    """Whether the chapter has anything to run: an evaluated cell or an inline expression
    (more than the build's own set-up and dependency-report cells)."""
    return len(planned_cells(doc, defaults)) > 2


def plan(
    book: Book, docs: list[Document], use_cache: bool, freeze: Path | None = None
) -> list[ChapterRun]:
    """For each chapter: reuse its cache entry, or execute it and why."""
    runs = []
    for doc in docs:
        if not needs_kernel(doc, chapter_defaults(book, doc)):
            runs.append(ChapterRun(doc, None, None, executed=False))
            continue
        entry, missing = cache.read_entry(book.root, doc.path, freeze)
        reasons = cache.stale_reasons(book.root, doc, chapter_defaults(book, doc), entry, missing)
        if not use_cache:
            reasons = ["--no-cache"]
        if reasons or entry is None:
            runs.append(ChapterRun(doc, None, None, executed=True, reasons=reasons))
        else:
            runs.append(ChapterRun(doc, entry.notebook, entry.record, executed=False))
    return runs


def execute_runs(
    book: Book, runs: list[ChapterRun], jobs: int, reporter: Reporter, freeze: Path | None = None
) -> None:
    todo = [run for run in runs if run.executed]
    done = 0

    def work(run: ChapterRun) -> None:
        nonlocal done
        reporter.info(f"execute {run.doc.path}: {'; '.join(run.reasons)}")
        started = time.perf_counter()
        defaults = chapter_defaults(book, run.doc)
        nb = execute_notebook(
            build_notebook(run.doc, defaults),
            run.doc,
            book.root,
            defaults,
            book.cell_timeout,
            book.chapter_timeout,
        )
        kernel.warn_outside_reads(nb, run.doc)
        entry = cache.write_entry(book.root, run.doc, defaults, nb, dependencies_of(nb), freeze)
        run.notebook, run.record = entry.notebook, entry.record
        done += 1
        reporter.info(f"executed {run.doc.path} in {time.perf_counter() - started:.1f} s")
        reporter.status(f"executing chapters: {done}/{len(todo)} done")

    if not todo:
        return
    kernel.STOP.clear()
    warm.prepare(book.root, [run.doc for run in runs], kernel.kernel_env(None))
    workers = max(1, min(jobs, len(todo)))
    warm.start_plain(book.root, min(workers, jobs - 1))  # the zygote's imports take a core
    pool = ThreadPoolExecutor(max_workers=workers)
    futures = []
    try:
        futures = [pool.submit(work, run) for run in sorted(todo, key=_expected_work, reverse=True)]
        finished, _pending = wait(futures, return_when=FIRST_EXCEPTION)
    except KeyboardInterrupt:  # Ctrl-C: kill the kernels, so the workers end at once
        kernel.stop_all_kernels()
        pool.shutdown(wait=True, cancel_futures=True)
        reporter.clear()
        warm.release(book.root)
        raise
    failed = [f for f in futures if f in finished and f.exception() is not None]
    # stop early: chapters not yet started are cancelled, running ones finish
    pool.shutdown(wait=True, cancel_futures=bool(failed))
    warm.release(book.root)
    reporter.clear()
    error = failed[0].exception() if failed else None
    if error is not None:
        raise error


def _expected_work(run: ChapterRun) -> int:
    """How long a chapter is expected to execute, roughly: the length of its code. The
    longest chapters start first, so that none is left running alone at the end (a book's
    heaviest chapter, started late, runs alone for its last seconds). The order of
    execution changes no output: each chapter has a kernel of its own."""
    return sum(len(cell.code) for cell in run.doc.cells)


def chapter_text(doc: Document, woven: Woven) -> tuple[str, int]:
    """The markdown Pandoc parses for a chapter (the level-1 heading its front-matter
    `title:` stands for, then its woven markdown) and the line of `title:` (0: none)."""
    title, line = title_markdown(doc.front_matter, doc.front_raw, doc.path)
    return title + mark_fences(woven.markdown), line


def chapter_of(
    book: Book, index: int, doc: Document, blocks: list[Any], title_line: int
) -> Chapter:
    """The book's chapter `index` as parsed: `blocks`, its place, its front matter's metadata."""
    ref = book.chapters[index]
    return Chapter(
        path=doc.path,
        page=page_name(doc.path),
        appendix=ref.appendix,
        part=ref.part,
        source=doc.source(),
        blocks=blocks,
        title_line=title_line,
        meta=load_context(book.root, doc.front_matter).meta,
        bibliography=doc.bibliography,
        csl=doc.csl,
    )


def colophon_text(book: Book, env: Environment) -> str:
    """The colophon's markdown (with the project's guide, `bookbuild: colophon-guide:`)."""
    guide = book.root / book.colophon_guide if book.colophon_guide else None
    return colophon_markdown(env, guide.read_text("utf-8") if guide else "")


def prepare(chapters: list[Chapter], book: Book, generated: set[str], resources: set[str]) -> None:
    """What follows parsing, chapter by chapter (in place): images pointed at the edition's
    copies, callout titles hoisted."""
    point_images(chapters, book.root, generated, resources)
    for chapter in chapters:
        hoist_callout_titles(chapter.blocks)


def parse_book(
    book: Book,
    runs: list[ChapterRun],
    woven: list[Woven],
    jobs: int,
    env: Environment,
    parse_store: Path | None = None,
    resources: frozenset[str] = frozenset(),
) -> tuple[list[Chapter], list[int]]:
    """Parse every chapter and add the colophon (`prepare`d, not yet numbered); and
    Pandoc's API version. With a `parse_store`, unchanged markdown is not parsed again."""
    texts = [chapter_text(r.doc, w) for r, w in zip(runs, woven, strict=True)]
    names = [str(run.doc.path) for run in runs]
    colophon = colophon_text(book, env)
    parses = Memo(parse_store)

    def parse(text: str, what: str) -> dict[str, Any]:
        return parses(
            "parse",
            what,
            [pandoc.MARKDOWN, text],
            lambda: pandoc.markdown_to_ast(text, book.root, what),
        )

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        asts = list(pool.map(parse, [*(t for t, _ in texts), colophon], [*names, "the colophon"]))
    parses.prune()
    api = asts[0]["pandoc-api-version"]
    chapters = [
        chapter_of(book, index, run.doc, ast["blocks"], line)
        for index, (run, ast, (_, line)) in enumerate(zip(runs, asts[:-1], texts, strict=True))
    ]
    chapters.append(
        Chapter(
            path=Path(COLOPHON),
            page=page_name(Path(COLOPHON)),
            appendix=True,
            part=None,
            source=colophon,
            blocks=asts[-1]["blocks"],
        )
    )
    prepare(chapters, book, {p for w in woven for p in w.files}, set(resources))
    return chapters, api


@dataclass
class Numbered:
    """One edition's chapters, numbered, references resolved, citations in place."""

    chapters: list[Chapter]
    targets: dict[str, Target]  # the cross-reference targets
    bib_keys: set[str]  # the bibliography's keys
    bib_files: tuple[Path, ...]  # the book's and the chapters' bibliography files
    citing: bool  # whether citeproc ran


def number_editions(
    book: Book, chapters: list[Chapter], api: list[int], memo: Memo | None = None
) -> dict[str, Numbered]:
    """Number `chapters` for each edition ("html", "pdf"): the same `Numbered`, unless
    conditional content holds numbered things, when each edition is numbered on its own
    (copies holding only its content), as Quarto renders each format apart."""
    custom = custom_keys(book.metadata)
    editions = edition_copies(chapters, book.config_path, custom)  # None: both number alike
    if editions is None:
        numbered = _number_and_cite(book, chapters, api, memo)
        return {"html": numbered, "pdf": numbered}
    labels = {i for c in chapters for i in ids_in(c.blocks)}  # in some edition
    return {
        e: _number_and_cite(book, copies, api, memo, (e, labels)) for e, copies in editions.items()
    }


def assemble(
    book: Book,
    runs: list[ChapterRun],
    woven: list[Woven],
    jobs: int,
    env: Environment,
    parse_store: Path | None = None,
    memo: Memo | None = None,
    resources: frozenset[str] = frozenset(),
) -> tuple[dict[str, list[Chapter]], list[int]]:
    """Parse every chapter, add the colophon, number the book, resolve references and citations.

    Returns the chapters for each edition ("html", "pdf"): the same list, unless conditional
    content holds numbered things, when each edition is numbered on its own, as Quarto
    renders each format apart.

    With a `parse_store` (`.bookbuild/ast/`), chapters whose woven markdown did not change since the
    last build are not parsed again; with a `memo`, citeproc runs only when citations changed.
    """
    chapters, api = parse_book(book, runs, woven, jobs, env, parse_store, resources)
    editions = number_editions(book, chapters, api, memo)
    return {e: numbered.chapters for e, numbered in editions.items()}, api


def _number_and_cite(
    book: Book,
    chapters: list[Chapter],
    api: list[int],
    memo: Memo | None,
    edition: tuple[str, set[str]] | None = None,
) -> Numbered:
    """Number the chapters, resolve their references and run citeproc (in place).
    `edition`: for one edition's copy, its name and the labels of every edition, so that a
    reference to content this edition hides says so."""
    check_attrs(chapters)
    targets = number_book(chapters, book.metadata.get("crossref"), book.config_path)
    files = book_bibliography(book.bibliography, chapters)
    check_styles(book.csl, chapters)
    check_entries(files, book.root)
    bib = [book.root / b for b in files]
    keys = bibliography_keys(bib, book.root)
    cited = resolve_references(chapters, targets, keys, files, edition)
    citing = bool(cited) or any(_has_refs_div(c) for c in chapters)
    if citing:
        cite_book(chapters, api, bib, book.root / book.csl if book.csl else None, book.root, memo)
    return Numbered(chapters, targets, keys, files, citing)


def _has_refs_div(chapter: Chapter) -> bool:
    return any(b.get("t") == "Div" and b["c"][0][0] == "refs" for b in chapter.blocks)


def build_info(env: Environment) -> dict[str, str]:
    """What every page's foot says of the build (the source revision and its date)."""
    return {"summary": f"Built from {env['source_revision']} on {env['source_date']}"}


def render(
    book: Book,
    chapters: list[Chapter],
    api: list[int],
    env: Environment,
    formats: tuple[str, ...],
    staging: Path,
    reporter: Reporter,
    memo: Memo | None = None,
    jobs: int = 1,
) -> dict[str, float]:
    """Write the HTML edition and the PDF into `staging`; seconds each took.

    Chapters are converted `jobs` at a time; with a `memo`, chapters whose rendering inputs
    did not change come from its store.

    One after the other: run side by side on two cores they were no faster, because Typst
    typesets on every core and the HTML writer's own Python work competes with it.
    """
    seconds: dict[str, float] = {}
    webfont = None
    if "html" in formats:
        reporter.info("render HTML edition")
        started = time.perf_counter()
        pages = write_html(
            book,
            chapters,
            {"pandoc-api-version": api},
            staging,
            build_info(env),
            memo,
            jobs,
        )
        stored = memo is not None and memo.store is not None  # an isolated build (verify)
        webfont = start_webfont(
            staging, pages, cache_dir=book.root / store.STATE_DIR if stored else None
        )  # made beside the PDF, finished below
        seconds["html"] = time.perf_counter() - started
    if "pdf" in formats:
        reporter.info("render PDF")
        started = time.perf_counter()
        try:
            compile_pdf(
                typst_source(book, chapters, api, memo, jobs),
                staging,
                staging / "thesis.pdf",
                int(env["source_date_epoch"]),
                chapters,
            )
        except BaseException:
            if webfont is not None:
                webfont.cancel()
            raise
        seconds["pdf"] = time.perf_counter() - started
    if webfont is not None:
        started = time.perf_counter()
        webfont.finish()
        seconds["html"] += time.perf_counter() - started  # what the PDF did not hide
    return seconds


def keep_last_pdf(output: Path, staging: Path, reporter: Reporter) -> None:
    """A build without the PDF format carries the last edition's `thesis.pdf` over, and says
    so: the PDF is then as old as the last build that made it."""
    old = output / "thesis.pdf"
    if old.is_file() and not old.is_symlink():
        shutil.copy2(old, staging / "thesis.pdf")
        reporter.info(
            "kept thesis.pdf from the last edition (not rebuilt: the PDF was not "
            "asked for; build with --to pdf to update it)"
        )
    else:
        reporter.info("this edition has no thesis.pdf (the PDF was not asked for)")


def write_files(files: dict[str, bytes], *folders: Path) -> None:
    for folder in folders:
        for relative, data in files.items():
            path = folder / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists() or path.read_bytes() != data:
                store.atomic_write(path, data)


def build(
    root: Path,
    formats: tuple[str, ...] = FORMATS,
    jobs: int | None = None,
    use_cache: bool = True,
    reporter: Reporter | None = None,
    output: Path | None = None,
    freeze: Path | None = None,
) -> BuildReport:
    """Build the book under `root`; publish to `output` (default `_book/`) only on success.

    `output` and `freeze` redirect the edition and the cache (used by `verify` to rebuild in
    isolation); then the project's own `figures/` and build record are left alone.
    """
    isolated = output is not None or freeze is not None
    reporter = reporter or Reporter()
    jobs = jobs or os.cpu_count() or 1
    timings: dict[str, float] = {}
    mark = start = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        timings[name] = now - mark
        mark = now

    book = load_book(root)
    output = output or book.output_dir
    check_replaceable(output, book.root)  # before any work: never replace what we did not make
    docs: list[Document] = []
    with build_lock(book.root), errors_at_origin(docs):
        docs[:] = [read_qmd(book.root, ref.path) for ref in book.chapters]
        check_names(book.config_path, docs, book.config_path.read_text("utf-8"))
        lap("parse")
        runs = plan(book, docs, use_cache, freeze)
        reused = [str(r.doc.path) for r in runs if r.notebook is not None]
        if reused:
            reporter.info(f"cache: {len(reused)} chapter(s) up to date")
        execute_runs(book, runs, jobs, reporter, freeze)
        if not isolated:  # `verify` reports raw files against the manifest in its own table
            check_raw_reads(
                book.root,
                [(r.doc.path, r.record) for r in runs],
                book.checksums,
                book.checksums_update,
            )
        kernels = sum(r.executed for r in runs)
        lap("execute")
        woven = [
            weave(
                r.doc,
                r.notebook or _empty_notebook(),
                chapter_defaults(book, r.doc),
                r.record["reads"] if r.record else None,
                "figures-labelled" in book.house_rules,
            )
            for r in runs
        ]
        files: dict[str, bytes] = {}
        for item in woven:
            files.update(item.files)
        resources = edition_files(book.root, docs, set(files), output)  # images, resources:
        shipped = {**resources, **files}  # the sources' own files are never rewritten
        lap("weave")
        env = describe(book.root, book.record_versions)
        # what each chapter gives rendering: source, woven markdown, cache record (inputs'
        # hashes, shown in the "Data and code" panels and the provenance manifest)
        state = [
            edition.ChapterState(str(r.doc.path), r.doc.source(), w.markdown, r.record)
            for r, w in zip(runs, woven, strict=True)
        ]
        key = None
        if not isolated and use_cache:  # even after executing: outputs may be unchanged
            key = edition.edition_key(
                book, state, shipped, env, formats, _chapter_files(docs, book.root)
            )
        memo = Memo(None if isolated else book.root / store.RENDER_DIR)
        if key is not None and edition.is_current(book.root, key, output):
            write_files(files, book.root)  # figures/ as the edition has them, if deleted
            lap("check")
            rendered = False
        else:
            rendered = True
            editions, api = assemble(
                book,
                runs,
                woven,
                jobs,
                env,
                None if isolated else book.root / store.AST_DIR,
                memo,
                frozenset(resources),
            )
            lap("pandoc")
            clean_stale_staging(output)
            staging = staging_dir(output)
            try:
                write_files(shipped, staging)
                write_files(files, *([] if isolated else [book.root]))
                if editions["html"] is editions["pdf"]:
                    timings.update(
                        render(
                            book, editions["html"], api, env, formats, staging, reporter, memo, jobs
                        )
                    )
                else:  # numbered apart (conditional content holds numbered things)
                    for fmt in formats:
                        timings.update(
                            render(
                                book, editions[fmt], api, env, (fmt,), staging, reporter, memo, jobs
                            )
                        )
                check_not_overwritten(staging, resources)
                if "pdf" not in formats and not isolated:
                    keep_last_pdf(output, staging, reporter)
                memo.prune()
                mark = time.perf_counter()
                record = provenance(book, runs, woven, env)
                (staging / "provenance.json").write_text(
                    json.dumps(record, indent=1, sort_keys=True, ensure_ascii=False) + "\n", "utf-8"
                )
                if not isolated:
                    edition.forget(book.root)
                publish(staging, output)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            if not isolated:
                edition.remember(
                    book.root,
                    key
                    or edition.edition_key(
                        book, state, shipped, env, formats, _chapter_files(docs, book.root)
                    ),
                    output,
                )
            lap("publish")
    report = BuildReport(
        output, runs, timings, kernels, time.perf_counter() - start, rendered, memo.computed
    )
    if not isolated:
        store.write_json(book.root / store.LAST_BUILD_FILE, report.summary(), indent=1)
    done = "published" if rendered else "edition up to date, nothing rendered:"
    reporter.info(f"{done} {output.name}/ in {report.wall_s:.1f} s ({kernels} kernel(s) started)")
    return report


def _chapter_files(docs: list[Document], root: Path) -> list[Path]:
    """The files rendering reads that options name (from the root): the chapters' own
    bibliography and style files, and the include and language files of `_quarto.yml` and
    the chapters' front matter."""
    metas = [(d.path, d.front_matter) for d in docs]
    return [
        *(p for d in docs for p in (*d.bibliography, *([d.csl] if d.csl else []))),
        *page_includes.named_files(root, metas),
        *language.named_files(root, metas),
    ]


def _empty_notebook() -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook()


__all__ = ["FORMATS", "BuildError", "BuildReport", "build", "plan"]
