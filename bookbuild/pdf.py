"""The PDF: the whole book as one Typst document, typeset by the `typst` wheel.

Pandoc writes the body with the book's Typst template; front matter pages are numbered in
roman numerals, the body in arabic. Fonts come from pip packages only: Typst's embedded
fonts for Latin text and Noto Sans SC (from `justmytype-intl-cjk`) for Chinese.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from bookbuild import pandoc
from bookbuild.ast import RawBlock
from bookbuild.crossref import Chapter
from bookbuild.errors import BuildError
from bookbuild.formats import rendered_citations, typst_callouts, typst_language_spans
from bookbuild.project import PACKAGE_DIR, Book

TEMPLATE = PACKAGE_DIR / "templates" / "thesis.typ"
CJK_FONT = "Noto Sans SC"
# Between the front matter and chapter 1: contents and lists, then arabic page numbers.
MAINMATTER = """#pagebreak(weak: true)
#outline(title: [Contents], depth: 2)
#pagebreak(weak: true)
#outline(title: [List of Figures], target: figure.where(kind: image))
#pagebreak(weak: true)
#outline(title: [List of Tables], target: figure.where(kind: table))
#set page(numbering: "1")
#counter(page).update(1)"""


def cjk_font_dir() -> Path:
    """Folder holding Noto Sans SC, from the `justmytype-intl-cjk` package."""
    try:
        import justmytype_intl_cjk
    except ImportError:
        raise BuildError(f"the CJK font '{CJK_FONT}' is missing: install the "
                         "'justmytype-intl-cjk' package (run `make`)") from None
    folder = Path(justmytype_intl_cjk.__file__).parent / "fonts" / "ofl" / "notosanssc"
    if not any(folder.glob("NotoSansSC*.ttf")):
        raise BuildError(f"the CJK font '{CJK_FONT}' was not found in {folder}; reinstall "
                         "'justmytype-intl-cjk'")
    return folder


def _meta_string(text: str) -> dict[str, Any]:
    return {"t": "MetaString", "c": text}


def typst_source(book: Book, chapters: list[Chapter], api: list[int]) -> str:
    """The whole book as Typst markup."""
    blocks: list[Any] = []
    front_done = False
    for chapter in chapters:
        body = copy.deepcopy(chapter.blocks)
        if chapter.number and not front_done:
            blocks.append(RawBlock("typst", MAINMATTER))
            front_done = True
        blocks.extend(typst_language_spans(typst_callouts(rendered_citations(body))))
    meta = {
        "title": _meta_string(book.title),
        "subtitle": _meta_string(book.subtitle),
        "author": {"t": "MetaList", "c": [_meta_string(a) for a in book.authors]},
        "date": _meta_string(book.date),
        "lang": _meta_string(book.lang),
        "keywords": {"t": "MetaList", "c": [_meta_string(str(k)) for k in
                                            book.pdf.get("keywords", [])]},
        "papersize": _meta_string(str(book.pdf.get("papersize", "a4"))),
    }
    ast = {"pandoc-api-version": api, "meta": meta, "blocks": blocks}
    return pandoc.ast_to(ast, "typst", book.root, "the PDF", "--template", str(TEMPLATE),
                         "--wrap=none")


def compile_pdf(source: str, workdir: Path, output: Path, epoch: int) -> None:
    """Typeset `source` (images relative to `workdir`) into `output`, dated `epoch` (s)."""
    import typst

    typ = workdir / "thesis.typ"
    typ.write_text(source, "utf-8")
    try:
        typst.compile(str(typ), output=str(output), root=str(workdir),
                      font_paths=[str(cjk_font_dir())], timestamp=epoch)
    except Exception as exc:  # typst raises its own error type with the diagnostics
        raise BuildError("Typst could not typeset the PDF", detail=str(exc)) from None
    finally:
        typ.unlink(missing_ok=True)
