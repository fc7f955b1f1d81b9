"""The naive way to build the same book, as the baseline the build is measured against.

Every chapter (in `_quarto.yml` order) is converted to a notebook by a small converter here:
markdown between fences becomes markdown cells, each ```{python} fence a code cell, and each
inline `{python} expr` a code cell printing the value right after its paragraph. Then, with
the public tools only: `jupyter nbconvert --execute --to notebook` runs every notebook (one
kernel each, one nbconvert call for all, in order); the printed inline values are put back
into the prose; `jupyter nbconvert --to markdown` (code hidden, as the book's `echo: false`)
writes markdown and figure files; Pandoc makes one HTML page per chapter (with citeproc) and
one Typst document for the whole book, which the typst package compiles to a PDF.

Nothing is cached and no kernel is skipped: that is the point of the baseline. Work happens in
`ROOT/_naive/`; the notebooks sit at the project root so kernels start there, like the build's.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pypandoc
import typst
import yaml

FENCE = re.compile(r"^```\{python\}[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
INLINE = re.compile(r"`\{python\}\s+([^`]+)`")
WORK = "_naive"


def chapter_paths(root: Path) -> list[Path]:
    """Chapter files in reading order, read from `_quarto.yml` (parts flattened)."""
    book = yaml.safe_load((root / "_quarto.yml").read_text("utf-8"))["book"]
    found: list[str] = []

    def walk(items: list) -> None:
        for item in items or []:
            if isinstance(item, str):
                found.append(item)
            elif isinstance(item, dict):
                if isinstance(item.get("part"), str) and item["part"].endswith(".qmd"):
                    found.append(item["part"])
                walk(item.get("chapters", []))

    walk(book.get("chapters", []))
    walk(book.get("appendices", []))
    return [Path(p) for p in found]


def _strip_front_matter(text: str) -> str:
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end != -1:
            return text[end + 4 :].lstrip("\n")
    return text


def _code_cell(code: str) -> nbformat.NotebookNode:
    """A fenced cell; `#| eval: false` becomes a raw cell, `#| error: true` may raise."""
    header = "\n".join(line[3:] for line in code.splitlines() if line.startswith("#| "))
    options = yaml.safe_load(header) if header else {}
    options = options if isinstance(options, dict) else {}
    if options.get("eval") is False:
        return nbformat.v4.new_raw_cell(code)
    cell = nbformat.v4.new_code_cell(code)
    if options.get("error") is True:
        cell.metadata["tags"] = ["raises-exception"]
    return cell


def qmd_to_notebook(text: str) -> nbformat.NotebookNode:
    """A .qmd chapter as a notebook: prose cells, code cells, one cell per inline value."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    text = _strip_front_matter(text)
    position = 0

    def prose(chunk: str) -> None:
        if not chunk.strip():
            return
        nb.cells.append(nbformat.v4.new_markdown_cell(chunk.strip("\n")))
        owner = len(nb.cells) - 1
        for expr in INLINE.findall(chunk):
            cell = nbformat.v4.new_code_cell(f"print({expr.strip()})")
            cell.metadata["naive_inline"] = {"cell": owner, "expr": expr}
            nb.cells.append(cell)

    for match in FENCE.finditer(text):
        prose(text[position : match.start()])
        nb.cells.append(_code_cell(match[1].rstrip("\n")))
        position = match.end()
    prose(text[position:])
    return nb


def substitute_inline(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Put each printed inline value into its paragraph; drop the helper cells."""
    keep = []
    for cell in nb.cells:
        meta = cell.metadata.get("naive_inline")
        if meta is None:
            keep.append(cell)
            continue
        value = "".join(
            o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream"
        ).strip()
        owner = nb.cells[meta["cell"]]
        owner.source = owner.source.replace(f"`{{python}} {meta['expr']}`", value, 1)
    nb.cells = keep
    return nb


def _nbconvert(*args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--log-level=ERROR", *args], check=True
    )


def _pandoc(cwd: Path, *args: str) -> None:
    subprocess.run([pypandoc.get_pandoc_path(), "--from=markdown", *args], cwd=cwd, check=True)


def build(root: Path) -> Path:
    """Build the naive edition of the book at `root` into `root/_naive/`; return the PDF."""
    root = root.resolve()
    work = root / WORK
    shutil.rmtree(work, ignore_errors=True)
    (work / "html").mkdir(parents=True)
    chapters = chapter_paths(root)
    sources = []
    for index, chapter in enumerate(chapters):
        nb = qmd_to_notebook((root / chapter).read_text("utf-8"))
        path = root / f".naive-{index:02d}-{chapter.stem}.ipynb"
        nbformat.write(nb, path)
        sources.append(path)
    try:
        _nbconvert(
            "--execute",
            "--to",
            "notebook",
            "--output-dir",
            str(work / "executed"),
            *map(str, sources),
        )
    finally:
        for path in sources:
            path.unlink(missing_ok=True)
    executed = sorted((work / "executed").glob("*.ipynb"))
    for path in executed:
        nbformat.write(substitute_inline(nbformat.read(path, as_version=4)), path)
    _nbconvert(
        "--to",
        "markdown",
        "--TemplateExporter.exclude_input=True",
        "--output-dir",
        str(work),
        *map(str, executed),
    )
    markdown = sorted(work.glob("*.md"))
    bib = [f"--bibliography={root / b}" for b in _bibliography(root)]
    for path in markdown:
        _pandoc(
            work,
            path.name,
            "-o",
            f"html/{path.stem}.html",
            "--to=html",
            "--standalone",
            "--citeproc",
            "--number-sections",
            f"--metadata=title:{path.stem}",
            *bib,
        )
    book = work / "book.typ"
    _pandoc(
        work,
        *[p.name for p in markdown],
        "-o",
        book.name,
        "--to=typst",
        "--standalone",
        "--citeproc",
        "--number-sections",
        *bib,
    )
    pdf = work / "book.pdf"
    typst.compile(str(book), output=str(pdf), root=str(work))
    return pdf


def _bibliography(root: Path) -> list[str]:
    config = yaml.safe_load((root / "_quarto.yml").read_text("utf-8"))
    bib = config.get("bibliography") or []
    return [bib] if isinstance(bib, str) else list(bib)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("."), help="the book project")
    args = parser.parse_args(argv)
    pdf = build(args.root)
    print(f"naive edition: {pdf.parent}/html/*.html and {pdf}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
