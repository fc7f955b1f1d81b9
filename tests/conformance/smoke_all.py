"""Build Quarto's own smoke tests (`tests/docs/smoke-all` of a quarto-cli checkout), each as a
one-chapter book, and report per document how this build did.

    python tests/conformance/smoke_all.py QUARTO_CHECKOUT [--to html] [--limit N] [--revision R]

Scope (`SCOPE`): the feature folders a thesis author reaches for (cross-references, callouts,
shortcodes, conditional content, tables, citations, code line numbers), Jupyter/Python or
engine-less documents only (knitr, Julia and OJS documents are out of scope), and only those
whose own test targets HTML (or no format). Each document's folder is copied next to it (its
images, includes and bibliographies), a `_quarto.yml` naming it the only chapter is written
(over the folder's own `_quarto.yml`, whose options Quarto applies to it: `book_config`),
and `thesis build` runs. Some documents name an image that sits a folder up in Quarto's own
repository (`crossrefs/float/html/` names `img/surus.jpg`, which is `crossrefs/float/img/`),
and some one it does not hold at all (`test.jpg`, brand logos): Quarto's HTML never checks
that an image exists, this build does, so the runner copies such an image in from the
nearest folder that has it, or writes a small placeholder of its type when none has it
(`supply_images`), and says so in the document's detail. Outcomes:

- **right**: built, and every `ensureHtmlElements` selector of the document's own test holds
  (those present are found, those forbidden are absent) and every `ensureFileRegexMatches`
  pattern matches; a document whose test asserts nothing about HTML counts as right only if it
  built (reported apart, as `built, unasserted`);
- **refused**: the build stopped with a one-line message naming a source file (`file:line:`);
- **unclear error**: it stopped without naming a source file, or with a traceback;
- **ignored, warned**: it built and Quarto's assertions fail, but the build warned that it
  ignores an option of the document (`... is ignored by this build`); the warnings are in
  the detail, so a reader can judge whether they explain the failure;
- **silently wrong**: it built, Quarto's own assertions fail, and the build said nothing.

The summary goes to `tests/conformance/smoke-all.json`, which `scripts/quarto_support.py`
writes into `docs/quarto-support.md`.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml
from bs4 import BeautifulSoup

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
RESULTS = HERE / "smoke-all.json"
SCOPE = (
    "crossrefs",
    "callouts",
    "shortcodes",
    "conditional-content",
    "table",
    "citations",
    "code-line-numbers",
)
SCOPE_TEXT = (
    "quarto-cli tests/docs/smoke-all folders " + ", ".join(SCOPE) + "; Python or "
    "engine-less documents whose own test targets HTML; each built alone as a "
    "one-chapter book with `--to html` (`make conformance QUARTO=...`)."
)
HELD_OUT_YEARS = ("2022", "2023", "2024", "2025", "2026")
_OTHER_ENGINE = re.compile(r"^[ \t]*```+\s*\{(r|julia|ojs|bash|sql|mermaid|dot)\b", re.M)
_CLEAR = re.compile(r"^error: \S+\.(qmd|yml|yaml|bib|csl|json)(:\d+)?: ", re.M)
_LOCAL_IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)")  # ![...](path ...)


# 1x1 grey images (drawn once with Pillow and kept as bytes, so the runner needs nothing)
_PLACEHOLDERS = {
    ".png": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGM4AQAAygDJmcpdfgAAAABJRU5Er"
    "kJggg==",
    ".gif": "R0lGODdhAQABAIEAAMjIyAAAAAAAAAAAACwAAAAAAQABAAAIBAABBAQAOw==",
    ".jpg": "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxO"
    "QERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/wAALCAABAAEBAREA/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQF"
    "BgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkK"
    "FhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZ"
    "mqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/9oACAEBAAA/"
    "AOkr/9k=",
    ".svg": base64.b64encode(
        b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n'
    ).decode(),
}
_PLACEHOLDERS[".jpeg"] = _PLACEHOLDERS[".jpg"]
_IMAGE_SUFFIXES = tuple(_PLACEHOLDERS)


def placeholder(suffix: str) -> bytes:
    """A small placeholder image of the type `suffix` (`.png`, `.jpg`, ...) names."""
    return base64.b64decode(_PLACEHOLDERS[suffix])


def _strings(value: object) -> list[str]:
    """Every string inside nested mappings and lists."""
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def brand_images(qmd: Path, text: str) -> list[str]:
    """The image files the document's brand names (its front matter's `brand:` mapping, or
    the brand file it names, else `_brand.yml` beside it; a file's paths are relative to
    it), when the document uses the `brand` shortcode."""
    if "{{< brand" not in text:
        return []
    brand = front_matter(text).get("brand")
    prefix = ""
    if not isinstance(brand, dict):
        name = brand if isinstance(brand, str) else "_brand.yml"
        if not (qmd.parent / name).is_file():
            return []
        brand = yaml.safe_load((qmd.parent / name).read_text("utf-8", errors="replace"))
        folder = Path(name).parent
        prefix = "" if folder == Path(".") else f"{folder.as_posix()}/"
    return [prefix + s for s in _strings(brand) if s.lower().endswith(_IMAGE_SUFFIXES)]


def supply_images(qmd: Path, root: Path, smoke: Path) -> tuple[list[str], list[str]]:
    """Supply, in `root` (the document's folder, copied), each local image the document
    names (as `![...](path)` or as a logo of its brand) that is not at its path: a copy of
    the file at that path from an ancestor folder inside `smoke`, or from a folder beside
    one (`crossrefs/float/html/` names `img/painter.jpg`, which is in
    `crossrefs/float/typst/img/`); else, when the file is in none, a small generated
    placeholder of its type (`placeholder`). Images outside the document's folder (`../`),
    absolute paths and URLs are left alone, so the build refuses them as it should.

    Quarto's repository has documents such as `crossrefs/float/html/html-float-2.qmd` that
    name `img/surus.jpg` while the file is `crossrefs/float/img/surus.jpg`, and some name
    files it does not hold at all (`test.jpg`, `img/thinker.jpg`, brand logos): Quarto's
    HTML does not check images, so its own test passes with a broken `<img>`, whereas this
    build stops on a missing image (as it should). Supplying one lets the rest of the
    document be judged. Returns (the paths copied, the paths given placeholders)."""
    copied: list[str] = []
    placeholders: list[str] = []
    text = qmd.read_text("utf-8", errors="replace")
    named = [*_LOCAL_IMAGE.findall(text), *brand_images(qmd, text)]
    for target in dict.fromkeys(named):
        if re.match(r"^[a-z]+:", target) or target.startswith("/") or ".." in target:
            continue
        if (root / target).exists():
            continue
        found = _nearby(qmd, target, smoke)
        suffix = Path(target).suffix.lower()
        if found is None and suffix not in _IMAGE_SUFFIXES:
            continue
        (root / target).parent.mkdir(parents=True, exist_ok=True)
        if found is not None:
            shutil.copyfile(found, root / target)
            copied.append(target)
        else:
            (root / target).write_bytes(placeholder(suffix))
            placeholders.append(target)
    return copied, placeholders


def _nearby(qmd: Path, target: str, smoke: Path) -> Path | None:
    """The file at `target` from the nearest ancestor folder of `qmd` inside `smoke`, or
    from a folder beside one; None when there is none."""
    for folder in qmd.parent.parents:
        if smoke not in (folder, *folder.parents):
            return None
        found = folder / target
        if not found.is_file():
            found = next(iter(sorted(folder.glob(f"*/{target}"))), found)
        if found.is_file():
            return found
    return None


def front_matter(text: str) -> dict:
    """A document's YAML front matter (empty when it has none or it does not parse)."""
    match = re.match(r"---\r?\n(.*?)\r?\n---\s*\r?\n", text, re.S)
    if not match:
        return {}
    try:
        data = yaml.safe_load(match[1])
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def _whole(meta: dict) -> bool:
    """Whether the document's test renders its whole project (`_quarto: render-project:`)."""
    quarto = meta.get("_quarto")
    return isinstance(quarto, dict) and quarto.get("render-project") is True


def html_test(meta: dict) -> dict | None:
    """The document's own test for HTML output (`_quarto: tests: html:`), or None when its
    tests target another format only; {} when it has none."""
    tests = (
        ((meta.get("_quarto") or {}).get("tests"))
        if isinstance(meta.get("_quarto"), dict)
        else None
    )
    if not tests:
        return {}
    if not isinstance(tests, dict) or "html" not in tests:
        return None
    return tests["html"] or {}


def in_scope(path: Path, text: str) -> bool:
    meta = front_matter(text)
    engine = str(meta.get("engine", "jupyter"))
    return (
        engine in ("jupyter", "markdown", "python")
        and not _OTHER_ENGINE.search(text)
        and html_test(meta) is not None
    )


def documents(quarto: Path, folders: tuple[str, ...] = SCOPE) -> list[Path]:
    """The in-scope documents under the smoke-all folders named `folders` (at any depth),
    in path order."""
    smoke = quarto / "tests" / "docs" / "smoke-all"
    found = []
    for qmd in sorted(smoke.rglob("*.qmd")):
        rel = qmd.relative_to(smoke)
        if (
            any(part in folders for part in rel.parts[:-1])
            and not qmd.name.startswith("_")
            and in_scope(qmd, qmd.read_text("utf-8", errors="replace"))
        ):
            found.append(qmd)
    return found


def held_out(quarto: Path, n: int, seed: int) -> list[Path]:
    """A seeded random sample of `n` in-scope documents of the dated regression folders
    (`2022/` to `2026/`, one per issue), which the feature folders' scope does not reach
    and no fix was made for: a measure of what an author's documents would meet. In path
    order; all of them when there are fewer than `n`."""
    smoke = quarto / "tests" / "docs" / "smoke-all"
    pool = [
        qmd
        for qmd in documents(quarto, HELD_OUT_YEARS)
        if qmd.relative_to(smoke).parts[0] in HELD_OUT_YEARS
    ]
    return sorted(random.Random(seed).sample(pool, min(n, len(pool))))


def _selector_failures(soup: BeautifulSoup, spec: list) -> list[str]:
    """The selectors of an `ensureHtmlElements` spec that do not hold: a required one not
    found, a forbidden one (shown `not …`) found. A selector soupsieve cannot read is not
    judged."""
    present = spec[0] if spec else []
    absent = spec[1] if len(spec) > 1 else []
    failed = []
    for selector, wanted in [(s, True) for s in present or []] + [(s, False) for s in absent or []]:
        try:
            found = bool(soup.select(selector))
        except Exception:  # soupsieve's errors share no base class
            continue
        if found != wanted:
            failed.append(selector if wanted else f"not {selector}")
    return failed


# a float's number after its prefix's (non-breaking) space, before the caption delimiter or the
# end of a reference; under `crossref: fig-labels: alpha x` a letter, after a non-breaking space
_DELIM = r"(?=[:)\]—–]|\\?[.:)]|$)"
_NUMBERED = re.compile(r"(nbsp\\?;|\\u00a0| )(\d+)" + _DELIM)
_LETTERED = re.compile(r"(nbsp\\?;|\\u00a0|" + "\u00a0" + r")([A-Za-z])" + _DELIM)


def as_chapter_one(pattern: str) -> str:
    """A pattern written for a document rendered alone, for the same document as chapter 1 of
    a book, where Quarto numbers its floats and items 1.N ("Figure&nbsp;1:" becomes
    "Figure&nbsp;1.1:"); a non-breaking space may be written as the character or `&nbsp;`."""
    named = re.search(r"(Figure|Table|Listing|Theorem|Lemma|Equation|Note|Tip|Warning)", pattern)
    if not named and "nbsp" not in pattern and "\u00a0" not in pattern:
        return pattern
    pattern = pattern.replace("\\&nbsp\\;", "&nbsp;").replace("\\&nbsp;", "&nbsp;")
    pattern = _NUMBERED.sub(lambda m: f"{m[1]}1\\.{m[2]}", pattern)
    return _LETTERED.sub(lambda m: f"{m[1]}1\\.{m[2]}", pattern).replace(
        "&nbsp;", "(?:&nbsp;|\u00a0)"
    )


def _regex_failures(text: str, spec: list) -> list[str]:
    """The patterns of an `ensureFileRegexMatches` spec that do not hold, read for the
    document as chapter 1 (`as_chapter_one`); a pattern Python cannot read is not judged."""
    present = spec[0] if spec else []
    absent = spec[1] if len(spec) > 1 else []
    failed = []
    for pattern, wanted in [(p, True) for p in present or []] + [(p, False) for p in absent or []]:
        try:
            found = bool(re.search(as_chapter_one(pattern), text, re.M))
        except re.error:
            continue
        if found != wanted:
            failed.append(f"/{pattern}/" if wanted else f"not /{pattern}/")
    return failed


_CONFIGS = ("_quarto.yml", "_quarto.yaml")


def project_folder(qmd: Path, smoke: Path | None) -> Path:
    """The document's project: the nearest folder up to `smoke` with a `_quarto.yml`, as
    Quarto finds it (`9524/about/file.qmd` belongs to `9524/`), else the document's folder."""
    for folder in (qmd.parent, *qmd.parent.parents):
        if smoke is None or smoke not in (folder, *folder.parents) or folder == smoke:
            break
        if any((folder / name).is_file() for name in _CONFIGS):
            return folder
    return qmd.parent


def book_config(qmd: Path, project: Path | None = None, whole: bool = False) -> dict:
    """The one-chapter book's `_quarto.yml`: the project's own `_quarto.yml` (whose options
    Quarto applies to the document) with `project:` made a book of the document alone; a
    website's `website:` keys go under `book:`, which takes them in Quarto's schema; of its
    formats, html and typst/pdf are kept. `whole` (the document's `_quarto: render-project:
    true`, a test of the whole project): a book keeps its own chapters."""
    project = project or qmd.parent
    own: dict = {}
    for name in _CONFIGS:
        if (project / name).is_file():
            try:
                loaded = yaml.safe_load((project / name).read_text("utf-8", errors="replace"))
            except yaml.YAMLError:
                loaded = None
            own = loaded if isinstance(loaded, dict) else {}
            break
    website = own.pop("website", None)
    book = {**(website if isinstance(website, dict) else {}), **(own.pop("book", None) or {})}
    own.pop("project", None)
    formats = own.pop("format", None)
    formats = formats if isinstance(formats, dict) else {}
    kept = {k: v for k, v in formats.items() if k in ("html", "typst", "pdf")}
    return {
        **own,
        "project": {"type": "book"},
        "book": {
            **book,
            "title": "Smoke",
            "chapters": book["chapters"]
            if whole and isinstance(book.get("chapters"), list)
            else [qmd.relative_to(project).as_posix()],
        },
        "format": {"html": {}, "typst": {}, **kept},
    }


_PYTHON_TRACEBACK = re.compile(r"^Traceback \(most recent call last\):", re.M)
_IGNORED = re.compile(r"^warning: (.*?is ignored by this build.*)$", re.M)


Verdict = tuple[str, str]


_FENCE_LINE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING_LINE = re.compile(r"^(#{1,6})\s")


def title_if_untitled(qmd: Path) -> bool:
    """Give the (copied) document a front-matter `title:`, its file's name, when it has none
    and its first heading is below level 1; say whether it did.

    Rendered alone, such a document has no title and keeps its `##` heading an `<h2>`, which
    Quarto's assertions test; as a book chapter Quarto (and this build) would take that first
    heading of any level as the chapter's title. With a title the heading keeps its level.
    The lines after the front matter move down by one (or by three, with no front matter)."""
    text = qmd.read_text("utf-8", errors="replace")
    if "title" in front_matter(text):
        return False
    lines = text.splitlines(keepends=True)
    end = 0
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), 0)
    fence = None
    for line in lines[end + 1 if end else 0 :]:
        mark = _FENCE_LINE.match(line)
        if mark and (fence is None or (mark[1][0] == fence[0] and len(mark[1]) >= len(fence))):
            fence = mark[1] if fence is None else None
            continue
        heading = None if fence else _HEADING_LINE.match(line)
        if heading:
            if len(heading[1]) == 1:
                return False
            break
    else:
        return False
    title = f"title: {json.dumps(qmd.stem)}\n"
    if end:
        lines.insert(end, title)
    else:
        lines[:0] = ["---\n", title, "---\n"]
    qmd.write_text("".join(lines), "utf-8")
    return True


def _build(root: Path, fmt: str, timeout: float) -> subprocess.CompletedProcess[str] | None:
    """`thesis build --to fmt` of the book at `root`; None when it timed out."""
    try:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "bookbuild",
                "--root",
                str(root),
                "build",
                "--to",
                fmt,
                "--quiet",
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=REPO,
        )
    except subprocess.TimeoutExpired:
        return None


def _stopped(err: str) -> Verdict:
    """(refused | unclear error, its first error line) of a build that stopped: refused when
    the message names a source file (never a generated one such as thesis.typ)."""
    lines = err.splitlines()
    first = next(
        (ln for ln in lines if ln.startswith("error")), lines[0] if lines else "(no message)"
    )
    # a cell's own traceback (Jupyter's, "NameError   Traceback ...") is the author's to
    # read; Python's, from the build itself, is not a clear error
    clear = bool(_CLEAR.search(err)) and not _PYTHON_TRACEBACK.search(err)
    return ("refused" if clear else "unclear error"), first[:200]


def judge(
    qmd: Path, fmt: str, timeout: float, smoke: Path | None = None, pdf: bool = False
) -> tuple[str, str, Verdict | None]:
    """(outcome, detail, the PDF's verdict) for one smoke document (`smoke`: the smoke-all
    folder, where images the document names a folder up are found). With `pdf`, a document
    that built in HTML is built again `--to pdf` and judged by `judge_pdf`; else, or when
    the HTML did not build, the PDF's verdict is None."""
    source = qmd.read_text("utf-8", errors="replace")
    meta = front_matter(source)
    test = html_test(meta) or {}
    with tempfile.TemporaryDirectory(prefix="smoke-") as tmp:
        root = Path(tmp) / "book"
        project = project_folder(qmd, smoke)
        shutil.copytree(
            project,
            root,
            ignore=shutil.ignore_patterns(
                "_quarto.yml", "_quarto.yaml", "*_files", "_freeze", "*.html", "*.pdf"
            ),
        )
        (root / "_quarto.yml").write_text(
            yaml.safe_dump(book_config(qmd, project, _whole(meta)), allow_unicode=True), "utf-8"
        )
        folder = root / qmd.parent.relative_to(project)
        supplied = supply_images(qmd, folder, smoke) if smoke else ([], [])
        titled = title_if_untitled(folder / qmd.name)
        proc = _build(root, fmt, timeout)
        if proc is None:
            return "unclear error", "timed out", None
        err = (proc.stderr + proc.stdout).strip()
        if proc.returncode != 0:
            outcome, first = _stopped(err)
            return outcome, first + _note(supplied, titled), None
        pages = [p for p in (root / "_book").glob("*.html") if p.stem == qmd.stem]
        if not pages:
            return "silently wrong", "no page for the chapter", None
        text = pages[0].read_text("utf-8")
        verdict = judge_html(text, test, err, supplied, titled)
        return (*verdict, judge_pdf(root, text, source, err, timeout) if pdf else None)


def judge_html(
    text: str,
    test: dict,
    err: str,
    supplied: tuple[list[str], list[str]],
    titled: bool = False,
) -> Verdict:
    """The HTML page `text` judged by the document's own `test` (`err`: the build's output)."""
    if "ensureHtmlElements" not in test and "ensureFileRegexMatches" not in test:
        return "built, unasserted", _note(supplied, titled).strip()
    failed = _selector_failures(
        BeautifulSoup(text, "html.parser"), test.get("ensureHtmlElements") or []
    ) + _regex_failures(text, test.get("ensureFileRegexMatches") or [])
    if not failed:
        return "right", _note(supplied, titled).strip()
    detail = "Quarto's assertions fail: " + "; ".join(failed)[:300]
    ignored = _IGNORED.findall(err)
    if ignored:
        said = "; ".join(ignored)[:300]
        return "ignored, warned", f"{detail}; the build warned: {said}" + _note(supplied, titled)
    return "silently wrong", detail + _note(supplied, titled)


def judge_pdf(root: Path, html: str, source: str, html_err: str, timeout: float) -> Verdict:
    """The PDF of the book at `root` (built now), judged by its consistency with the HTML
    chapter `html` (`pdf_differences`): right, refused, unclear error, ignored, warned (it
    differs and the PDF build warned that it ignores something the HTML build did not), or
    silently wrong."""
    proc = _build(root, "pdf", timeout)
    if proc is None:
        return "unclear error", "timed out"
    err = (proc.stderr + proc.stdout).strip()
    if proc.returncode != 0:
        return _stopped(err)
    if not (root / "_book" / "thesis.pdf").is_file():
        return "silently wrong", "no thesis.pdf"
    differences = pdf_differences(html, pdf_text(root / "_book" / "thesis.pdf"), source)
    if not differences:
        return "right", ""
    detail = "; ".join(differences)[:400]
    ignored = [w for w in _IGNORED.findall(err) if w not in html_err]
    if ignored:
        return "ignored, warned", f"{detail}; the build warned: {'; '.join(ignored)[:300]}"
    return "silently wrong", detail


# ---- the PDF edition, judged by its consistency with the HTML one ---------------------------

# What the PDF must not show unless the HTML shows it too: source syntax that should have
# been rendered (a shortcode, a fenced div's colons, a cell option, a cross-reference or
# citation left as typed, an attribute block) and raw Typst or HTML markup.
LEAKS = {
    "shortcode": re.compile(r"\{\{<"),
    "fenced div": re.compile(r":::"),
    "cell option": re.compile(r"#\|"),
    "cross-reference": re.compile(r"@(?:fig|tbl|sec|eq|lst|thm|lem|cor|prp|cnj|def|exm|exr)-"),
    "citation": re.compile(r"\[-?@"),
    "attributes": re.compile(r"\{[#.][A-Za-z]"),
    "Typst markup": re.compile(r"#(?:set|show|let|figure|block|box|text|place|grid)\b[\[( ]"),
    "HTML tag": re.compile(r"</?(?:div|span|p|a|img|br|table|td|tr|strong|em|sup|sub)\b[^>]*>"),
}
# HTML the PDF rightly lacks, as Quarto's PDF lacks it: a tabset's buttons (its panes are
# there), a folded cell's summary, footnote markers and back-links (the PDF numbers its
# notes its own way), this build's own figure provenance (`details.provenance`), math
# (MathML or TeX in HTML, glyphs pdftotext cannot read back as words in the PDF),
# screen-reader-only text (a callout's kind, "Note", before its title), the code-copy
# button, anchors' pilcrows.
HTML_ONLY = (
    "ul.nav-tabs",
    "details.provenance",
    "details > summary",
    "a.footnote-ref",
    "a.footnote-back",
    "span.math",
    "math",
    ".visually-hidden",
    ".screen-reader-only",
    ".sr-only",
    "button",
    "a.anchorjs-link",
    "script",
    "style",
    "noscript",
)
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"'})
_WORD = re.compile(r"\w+")
_HYPHENATED = re.compile(r"(\w+)[-\u00ad]\n\s*(\w+)")
_NOTE_NUMBER = re.compile(r"^\s*\d+([^\W\d_]\w*)", re.M)


def normalised(text: str) -> str:
    """Text with ligatures and compatibility forms unfolded (NFKC), smart quotes straight and
    soft hyphens gone, lower case: what two renderings of the same words share."""
    return unicodedata.normalize("NFKC", text).translate(_QUOTES).replace("\u00ad", "").lower()


def words(text: str) -> Counter[str]:
    """The words of `text` (normalised), counted."""
    return Counter(_WORD.findall(normalised(text)))


def pdf_words(text: str) -> Counter[str]:
    """The words of a PDF's text: a word Typst hyphenated at a line's end counts both joined
    and as its two halves (the hyphen may be the word's own, as in "well-known"), and a word
    that opens a line glued to a number counts apart from it too (a footnote's entry starts
    with its superscript number, which pdftotext sets against the first word: "1why")."""
    joined = [a + b for a, b in _HYPHENATED.findall(normalised(text))]
    noted = _NOTE_NUMBER.findall(normalised(text))
    return words(text) + Counter(joined) + Counter(noted)


def article_text(html: str, separator: str = " ") -> str:
    """The text of the chapter's `<article>` (else `<main>`), without what the PDF rightly
    lacks (`HTML_ONLY`); elements joined by `separator`."""
    soup = BeautifulSoup(html, "html.parser")
    article = soup.find("article") or soup.find("main") or soup
    for selector in HTML_ONLY:
        for element in article.select(selector):
            element.decompose()
    return article.get_text(separator)


def _ast_text(value: object) -> str:
    """The text of a Pandoc JSON fragment: its strings, code and raw text."""
    if isinstance(value, list):
        return " ".join(_ast_text(v) for v in value)
    if not isinstance(value, dict):
        return ""
    kind, content = value.get("t"), value.get("c")
    if kind == "Str":
        return str(content)
    if kind in ("Code", "CodeBlock", "RawInline", "RawBlock", "Math"):
        raw = str(content[-1])
        return BeautifulSoup(raw, "html.parser").get_text(" ") if "<" in raw else raw
    return _ast_text(content)


def _processed_table(fmt: str, raw: str) -> bool:
    """Whether Quarto reads this raw block as a table in every format: since Quarto 1.3 an
    HTML `<table>` in a raw HTML block becomes a Pandoc table (unless marked
    `data-quarto-disable-processing`), so the PDF shows it too."""
    return (
        fmt == "html"
        and "<table" in raw.lower()
        and not re.search(r"data-quarto-disable-processing\s*=\s*[\"']?true", raw, re.I)
    )


def _not_in_pdf(node: dict) -> bool:
    """Whether Quarto's PDF (Typst) leaves out this element of the source: content shown only
    in other formats (`.content-visible when-format=html`, `.content-hidden
    when-format=typst`...) and raw blocks and inlines for other formats (but for
    HTML tables, `_processed_table`)."""
    kind = node.get("t")
    if kind in ("RawBlock", "RawInline"):
        fmt, raw = str(node["c"][0]).lower(), str(node["c"][1])
        return fmt not in ("typst", "pdf") and not _processed_table(fmt, raw)
    if kind not in ("Div", "Span", "CodeBlock"):
        return False
    classes, pairs = node["c"][0][1], node["c"][0][2]
    if "content-visible" not in classes and "content-hidden" not in classes:
        return False
    # the runner's PDF is Quarto's typst format, which `pdf` and `latex` do not name; a key
    # given twice matches when any of its values does (Quarto's `propertiesMatch`)
    match = True
    for key, wanted in (("when-format", True), ("unless-format", False)):
        values = [v for k, v in pairs if k == key]
        if values:
            match = match and ("typst" in values) == wanted
    return not match if "content-visible" in classes else match


_PROOF_TITLES = ("proof", "remark", "solution")


def excused_words(source: str) -> Counter[str]:
    """The words of the document's source that Quarto's PDF leaves out (`_not_in_pdf`): the
    HTML may show them and the PDF lack them. Empty when Pandoc cannot read the source."""
    try:
        import pypandoc

        ast = json.loads(pypandoc.convert_text(source, "json", format="markdown"))
    except Exception:  # a document Pandoc cannot read is judged without excuses
        return Counter()
    found: Counter[str] = Counter()

    def visit(value: object) -> None:
        if isinstance(value, list):
            for item in value:
                visit(item)
        elif isinstance(value, dict):
            if "t" in value and _not_in_pdf(value):
                found.update(words(_ast_text(value)))
                # and the title the build gives a proof-like div there ("Solution.")
                if value["t"] == "Div":
                    found.update(c for c in _PROOF_TITLES if c in value["c"][0][1])
                return
            visit(value.get("c"))

    visit(ast.get("blocks", []))
    return found


def chapter_pages(pdf: Path) -> tuple[int, int] | None:
    """The first and last page (1-based) of the book's body: from the first top-level
    bookmark up to the page before the colophon's, so the contents and lists of figures
    (which repeat captions) do not count for the chapter. None when the PDF has no bookmarks."""
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    starts = []
    for entry in reader.outline:
        if not isinstance(entry, list):
            starts.append((entry.title, reader.get_destination_page_number(entry) + 1))
    if not starts:
        return None
    last = len(reader.pages)
    for title, page in starts[1:]:
        if title.strip().lower() == "colophon":
            last = page - 1
    return starts[0][1], last


def pdf_text(pdf: Path) -> str:
    """The text of the book's body in the PDF (`chapter_pages`), as `pdftotext -layout` reads
    it (without `-layout` it joins a line ending in a hyphen to the next, so "panel-tabset"
    broken after its hyphen would read "paneltabset")."""
    pages = chapter_pages(pdf)
    span = ["-f", str(pages[0]), "-l", str(pages[1])] if pages else []
    return subprocess.run(
        ["pdftotext", "-layout", *span, str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def pdf_differences(html: str, pdf: str, source: str) -> list[str]:
    """What the PDF text `pdf` gets wrong against the HTML chapter `html`: the HTML's words
    it lacks (beyond those Quarto's PDF leaves out, `excused_words`) and source syntax it
    shows more often than the HTML (`LEAKS`)."""
    missing = words(article_text(html)) - pdf_words(pdf) - excused_words(source)
    shown = article_text(html, "")  # highlighted code's tokens are elements: join them
    found = []
    if missing:
        listed = sorted(missing, key=lambda w: (-missing[w], w))
        found.append(f"missing {sum(missing.values())} word(s): {' '.join(listed[:25])}")
    for name, pattern in LEAKS.items():
        extra = len(pattern.findall(pdf)) - len(pattern.findall(shown))
        if extra > 0:
            sample = pattern.search(pdf)
            at = pdf[max(0, sample.start() - 20) : sample.end() + 30] if sample else ""
            found.append(f"shows {name} ({' '.join(at.split())!r})")
    return found


def _note(supplied: tuple[list[str], list[str]], titled: bool = False) -> str:
    """What the detail says of the images the runner supplied (copied, placeholders) and of
    the title it gave the document (`title_if_untitled`)."""
    copied, placeholders = supplied
    notes = [f"images supplied from a nearby folder: {', '.join(copied)}"] if copied else []
    notes += [f"placeholder images: {', '.join(placeholders)}"] if placeholders else []
    notes += ["titled by the runner: its first heading is below level 1"] if titled else []
    return "".join(f" ({n})" for n in notes)


OUTCOMES = (
    "right",
    "built, unasserted",
    "ignored, warned",
    "refused",
    "unclear error",
    "silently wrong",
)


PDF_OUTCOMES = ("right", "ignored, warned", "refused", "unclear error", "silently wrong")


def run_documents(
    label: str,
    docs: list[Path],
    smoke: Path,
    fmt: str,
    timeout: float,
    pdf: bool = False,
    jobs: int = 1,
) -> dict[str, object]:
    """Judge each document (`jobs` at a time, each in its own folder), printing a line for
    each in order; the counts and each one's outcome, and with `pdf` the same for the PDF of
    each document that built in HTML (`"pdf"`)."""
    counts: Counter[str] = Counter()
    pdf_counts: Counter[str] = Counter()
    per_doc, pdf_docs = {}, {}
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        verdicts = pool.map(lambda qmd: judge(qmd, fmt, timeout, smoke, pdf), docs)
        for number, (qmd, (outcome, detail, on_paper)) in enumerate(
            zip(docs, verdicts, strict=True), 1
        ):
            counts[outcome] += 1
            name = str(qmd.relative_to(smoke))
            per_doc[name] = {"outcome": outcome, "detail": detail}
            print(f"[{label} {number}/{len(docs)}] {outcome:18} {name}  {detail}", flush=True)
            if on_paper is not None:
                pdf_counts[on_paper[0]] += 1
                pdf_docs[name] = {"outcome": on_paper[0], "detail": on_paper[1]}
                print(f"    pdf: {on_paper[0]:18} {on_paper[1]}", flush=True)
    print(label + ":", ", ".join(f"{k}: {counts[k]}" for k in OUTCOMES), f"(of {len(docs)})")
    run: dict[str, object] = {"counts": {k: counts[k] for k in OUTCOMES}, "documents": per_doc}
    if pdf:
        print(
            label + " (pdf):",
            ", ".join(f"{k}: {pdf_counts[k]}" for k in PDF_OUTCOMES),
            f"(of {len(pdf_docs)})",
        )
        run["pdf"] = {"counts": {k: pdf_counts[k] for k in PDF_OUTCOMES}, "documents": pdf_docs}
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("quarto", type=Path, help="a quarto-cli checkout")
    parser.add_argument("--to", default="html")
    parser.add_argument(
        "--no-pdf",
        action="store_true",
        help="judge the HTML edition only (by default each document that built in HTML is "
        "also built as a PDF and judged against the HTML)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="documents built at once (default: the number of cores)",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="only the documents whose path holds this (may be given several times)",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=RESULTS,
        help="where the summary is written (default: tests/conformance/smoke-all.json)",
    )
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=180)
    parser.add_argument(
        "--revision",
        default="",
        help="the checkout's commit, when it is not a git work tree (an exported tree)",
    )
    parser.add_argument(
        "--held-out",
        type=int,
        default=0,
        metavar="N",
        help="also build a seeded sample of N documents of the dated regression folders",
    )
    parser.add_argument("--seed", type=int, default=2026, help="the held-out sample's seed")
    args = parser.parse_args(argv)
    docs = documents(args.quarto)

    def chosen(doc: Path) -> bool:
        return not args.only or any(part in str(doc) for part in args.only)

    docs = [d for d in docs if chosen(d)]
    if args.limit:
        docs = docs[: args.limit]
    smoke = args.quarto / "tests" / "docs" / "smoke-all"
    samples = {"as written": (docs, {})}
    if args.held_out:
        sample = [d for d in held_out(args.quarto, args.held_out, args.seed) if chosen(d)]
        samples["held-out"] = (sample, {"seed": args.seed, "n": args.held_out})
    runs = {
        label: {
            **about,
            **run_documents(
                label, chosen, smoke, args.to, args.timeout, not args.no_pdf, args.jobs
            ),
        }
        for label, (chosen, about) in samples.items()
    }
    head = subprocess.run(
        ["git", "-C", str(args.quarto), "log", "-1", "--format=%h %cs"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    args.results.write_text(
        json.dumps(
            {
                "quarto": args.revision or head or "(unknown commit)",
                "scope": SCOPE_TEXT,
                "documents": len(docs),
                "runs": runs,
            },
            indent=1,
            ensure_ascii=False,
        )
        + "\n",
        "utf-8",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
