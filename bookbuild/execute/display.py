"""Rich display outputs (`text/html`, `text/markdown`) as markdown for both editions.

Quarto chooses an output's MIME type per format: HTML shows `text/html` as it is; for the PDF
an HTML table becomes a real table (as Quarto's HTML-table processing does) and other HTML is
converted by Pandoc. A caption (`tbl-cap`) or a `tbl-` label makes the output a captioned
table in both editions, so it is numbered and can be referenced.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from bookbuild.errors import BuildError
from bookbuild.source.markdown_text import collapse
from bookbuild.source.qmd import Cell, Document

# A pandas Styler's table id and the CSS selectors built on it (`T_` and a random uuid).
_STYLER_ID = re.compile(r'<table id="(T_[0-9a-zA-Z]+)"')
# An object's default repr: no display form at all (and not the same twice).
_REPR = re.compile(r"<[^<>\n]* at 0x[0-9a-fA-F]+>|^<[\w.]+ object>$")
# A `text/latex` output that is one formula (`$...$` or `$$...$$`), as sympy and `Latex` show.
_MATH = re.compile(r"^(\$\$?)(?!\$)(?P<tex>.+?)\1$", re.S)
# A pipe table's delimiter row, to find a table in a markdown output.
_PIPE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$", re.M)


def joined(value: Any) -> str:
    """A notebook's MIME value (a string or a list of lines) as one string."""
    return value if isinstance(value, str) else "".join(value)


def stable_ids(text: str, name: str) -> str:
    """Replace a Styler's random table id by `name`, so a rebuild gives the same bytes."""
    match = _STYLER_ID.search(text)
    return text.replace(match[1], f"T_{name}") if match else text


def reject_repr(text: str, doc: Document, cell: Cell) -> None:
    """An object repr (`<... at 0x7f...>`) is an error: it shows nothing and changes per run."""
    match = _REPR.search(text)
    if match:
        raise BuildError(
            f"cell shows an object with no display form ({match[0][:60]}); show "
            "something displayable, or end the last line with ';'",
            doc.path,
            cell.line,
        )


class _TableCells(HTMLParser):
    """The text of each cell of an HTML document's first `<table>`, by row and section."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.head: list[list[str]] = []
        self.body: list[list[str]] = []
        self.depth = 0  # table nesting: only the first table's own cells count
        self.done = False
        self.in_head = False
        self.row: list[str] | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        if tag == "table":
            self.depth += 1
        elif self.depth == 1 and tag == "thead":
            self.in_head = True
        elif self.depth == 1 and tag == "tr":
            self.row = []
        elif self.depth == 1 and tag in ("td", "th") and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if self.done:
            return
        if tag == "table":
            self.depth -= 1
            self.done = self.depth == 0
        elif self.depth == 1 and tag == "thead":
            self.in_head = False
        elif (
            self.depth == 1
            and tag in ("td", "th")
            and self.cell is not None
            and self.row is not None
        ):
            self.row.append(collapse("".join(self.cell)))
            self.cell = None
        elif self.depth == 1 and tag == "tr" and self.row is not None:
            (self.head if self.in_head else self.body).append(self.row)
            self.row = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None and not self.done:
            self.cell.append(data)


def html_table(text: str) -> dict[str, list[Any]] | None:
    """The first HTML table as {columns, rows} of cell texts, or None if there is none.

    The header is the last row of `<thead>` (a Styler's first rows may name index levels), or
    the first row when there is no `<thead>`; short rows are padded.
    """
    parser = _TableCells()
    parser.feed(text)
    head, body = parser.head, parser.body
    if not head and body:
        head, body = body[:1], body[1:]
    if not head:
        return None
    columns = head[-1]
    width = max([len(columns), *(len(r) for r in body)])
    pad = lambda row: row + [""] * (width - len(row))  # noqa: E731
    return {"columns": pad(columns), "rows": [pad(r) for r in body]}


def html_to_typst(text: str, doc: Document, cell: Cell) -> str:
    """Typst markup for an HTML output (Pandoc's HTML reader), unnumbered, in its own scope."""
    from bookbuild.document.pandoc import run  # the Pandoc binary; imported when needed

    typst = run(
        ["-f", "html", "-t", "typst"],
        text,
        doc.path.parent,
        f"{doc.path} cell output at line {cell.line}",
    ).strip()
    if not typst:
        raise BuildError(
            "cell shows HTML with no content for the PDF (only text/html, "
            "which has no printable form); show a table, text or a figure, or "
            "use '#| output: false'",
            doc.path,
            cell.line,
        )
    return "#[#set figure(numbering: none, outlined: false)\n" + typst + "\n]"


def markdown_output(text: str, caption: str, label: str, doc: Document, cell: Cell) -> str:
    """A `text/markdown` output; with a table caption, the caption goes under its table."""
    if not caption and not label:
        return text
    if not caption:
        raise BuildError(f"table '{label}' has no tbl-cap", doc.path, cell.line)
    if not _PIPE_RULE.search(text):
        raise BuildError(
            f"cell has {'tbl-cap' if caption else 'a tbl- label'} but its "
            "Markdown output holds no pipe table",
            doc.path,
            cell.line,
        )
    ident = f" {{#{label}}}" if label else ""
    return text.rstrip() + f"\n\n: {caption}{ident}\n"


def latex_math(text: str) -> str | None:
    """A `text/latex` formula as Pandoc markdown math (MathML in HTML, Typst math in the PDF),
    or None when the LaTeX is more than one formula (this build typesets no other LaTeX)."""
    match = _MATH.match(text.strip())
    if not match or "$" in match["tex"]:
        return None
    tex = " ".join(match["tex"].split())
    return f"$${tex}$$" if match[1] == "$$" else f"${tex}$"
