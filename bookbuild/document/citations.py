"""Citations and the bibliography for the whole book, by Pandoc's citeproc, run only when the
citations changed.

Citeproc needs the whole book at once (disambiguation and first/subsequent positions are
global) and took 1.3 s of every prose edit of the thesis, mostly passing 1.5 MB of AST to
Pandoc and back. For an in-text style (author-date, numeric) what it produces — the text of
each citation and the reference lists — depends only on the citations themselves, in order,
where each sits in the document's structure, the reference-list divs, the bibliography and
the style. That is the memo key; on a miss citeproc runs over the whole book as before and
its results are stored, on a hit they are put back in place. A note style also moves
punctuation around citations and numbers notes, so for it citeproc always runs.
"""

from __future__ import annotations

import re
from os.path import normpath
from pathlib import Path
from typing import Any

from bookbuild.document import pandoc
from bookbuild.document.ast import Div, Node, walk
from bookbuild.document.chapter import Chapter
from bookbuild.document.titles import front_line
from bookbuild.errors import BuildError
from bookbuild.state import store
from bookbuild.state.memo import Memo

_NOTE_STYLE = re.compile(r"<style\b[^>]*\bclass\s*=\s*[\"']note[\"']")
_ENTRY = re.compile(r"@(\w+)\s*\{\s*([^,\s]+)\s*,")


def book_bibliography(book: tuple[Path, ...], chapters: list[Chapter]) -> tuple[Path, ...]:
    """The files citeproc reads: the book's `bibliography:`, then each chapter's own (as
    Quarto renders a chapter with its front matter's), each once."""
    return tuple(dict.fromkeys([*book, *(f for c in chapters for f in c.bibliography)]))


def check_styles(book: Path | None, chapters: list[Chapter]) -> None:
    """A chapter's `csl:` must be the book's style: the book is cited in one style."""
    for chapter in chapters:
        if chapter.csl is not None and (book is None or chapter.csl != Path(normpath(book))):
            named = f"the book's ({book})" if book else "Pandoc's default (no csl: in _quarto.yml)"
            raise BuildError(
                f"csl: {chapter.csl} differs from the book's style, {named}: this build cites "
                "the whole book in one style; set csl: in _quarto.yml",
                chapter.path,
                front_line(chapter.source, "csl"),  # the source opens with its front matter
            )


def bibtex_entries(text: str) -> dict[str, tuple[int, str]]:
    """Each BibTeX entry's key: (its line, its text with white space collapsed)."""
    found: dict[str, tuple[int, str]] = {}
    for match in _ENTRY.finditer(text):
        if match[1].lower() in ("comment", "preamble", "string"):
            continue
        depth, end = 0, len(text)
        for index in range(match.start() + match[0].index("{"), len(text)):
            depth += {"{": 1, "}": -1}.get(text[index], 0)
            if depth == 0:
                end = index + 1
                break
        entry = " ".join(text[match.start() : end].split())
        found.setdefault(match[2], (text.count("\n", 0, match.start()) + 1, entry))
    return found


def check_entries(files: tuple[Path, ...], root: Path) -> None:
    """A key in two of the book's bibliography files must be the same entry in both."""
    seen: dict[str, tuple[Path, int, str]] = {}
    for name in files:
        for key, (line, entry) in bibtex_entries((root / name).read_text("utf-8")).items():
            first = seen.setdefault(key, (name, line, entry))
            if first[0] != name and first[2] != entry:
                raise BuildError(
                    f"citation key '{key}' is also in {first[0]} (line {first[1]}) with a "
                    "different entry; the book's bibliography files are read together, so "
                    "keep one entry (or give one another key)",
                    name,
                    line,
                )


def is_note_style(csl: Path | None) -> bool:
    """Whether the CSL style puts citations in notes (Pandoc's default style does not)."""
    return csl is not None and bool(_NOTE_STYLE.search(csl.read_text("utf-8")))


def _is_refs(node: Node) -> bool:
    return node["t"] == "Div" and node["c"][0][0] == "refs"


def citation_outline(value: Any, trail: tuple[str, ...] = ()) -> list[Any]:
    """Each citation and reference-list div in document order (the order in which Pandoc
    visits them: element fields in constructor order, as in the JSON), with the types of
    the elements around it (a citation in a note or a caption is set differently)."""
    found: list[Any] = []
    if isinstance(value, list):
        for item in value:
            found += citation_outline(item, trail)
    elif isinstance(value, dict) and "t" in value:
        if value["t"] == "Cite":
            found.append(["cite", trail, value["c"][0]])
        elif _is_refs(value):
            found.append(["refs", trail, value["c"][0]])
        if isinstance(value.get("c"), list):
            found += citation_outline(value["c"], (*trail, value["t"]))
    return found


def _results(combined: dict[str, Any]) -> dict[str, Any]:
    """What citeproc changed: each Cite's and each reference list's content, in document
    order, and the blocks it appended after the last chapter."""
    chapters = [b for b in combined["blocks"] if "bb-chapter" in b["c"][0][1]]
    return {
        "cites": [n["c"] for n in walk(chapters) if n["t"] == "Cite"],
        "refs": [n["c"] for n in walk(chapters) if _is_refs(n)],
        "extra": [b for b in combined["blocks"] if "bb-chapter" not in b["c"][0][1]],
    }


def _put_back(chapters: list[Chapter], results: dict[str, Any]) -> bool:
    """Write stored results into the chapters; False (nothing changed) when they do not fit."""
    nodes = [n for c in chapters for n in walk(c.blocks) if n["t"] == "Cite" or _is_refs(n)]
    cites = [n for n in nodes if n["t"] == "Cite"]
    refs = [n for n in nodes if n["t"] != "Cite"]
    if len(cites) != len(results["cites"]) or len(refs) != len(results["refs"]):
        return False
    for node, content in zip([*cites, *refs], [*results["cites"], *results["refs"]], strict=True):
        node["c"] = content
    chapters[-1].blocks.extend(results["extra"])
    return True


def _digest(path: Path) -> str:
    return store.sha256(path.read_bytes())


def cite_book(
    chapters: list[Chapter],
    api: list[int],
    bibliography: list[Path],
    csl: Path | None,
    root: Path,
    memo: Memo | None = None,
) -> None:
    """Resolve every citation and fill the reference lists, in place."""
    combined = {
        "pandoc-api-version": api,
        "meta": {},
        "blocks": [Div("", ["bb-chapter"], c.blocks) for c in chapters],
    }

    def run() -> dict[str, Any]:
        return _results(pandoc.citeproc(combined, bibliography, csl, root)[0])

    if memo is None or is_note_style(csl):
        results = run()
    else:
        key = [
            citation_outline([c.blocks for c in chapters]),
            [_digest(p) for p in bibliography],
            _digest(csl) if csl else None,
        ]
        results = memo("citeproc", "the citations", key, run)
    # a stored result that does not fit (a damaged entry) is replaced by a fresh run
    if not _put_back(chapters, results) and not _put_back(chapters, run()):
        raise BuildError(
            "citeproc returned a different number of citations or reference lists than the book has"
        )
