"""Helpers for the build tests: copy a book, run the CLI, snapshot a folder, read HTML and PDF.

Not a test module: imported by the `test_build_*`, `test_cache` and `test_publish` modules.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from bookbuild.commands import cli

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "minibook"
# Build products that must never be copied along with a book's sources.
PRODUCTS = ("_book", "_freeze", ".bookbuild", "figures", "__pycache__")


def copy_book(source: Path, target: Path, with_products: bool = False) -> Path:
    """Copy a book's sources (and, if asked, its built products) into `target`."""
    ignore = None if with_products else shutil.ignore_patterns(*PRODUCTS, "._book.*")
    shutil.copytree(source, target, ignore=ignore, symlinks=True)
    return target


@dataclass
class Result:
    code: int
    err: str


def run(root: Path, *args: str) -> Result:
    """`thesis --root ROOT ARGS` in this process; returns the exit code and stderr."""
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        code = cli.main(["--root", str(root), *args])
    return Result(code, err.getvalue() + out.getvalue())


def run_process(root: Path, *args: str, timeout: float = 240) -> Result:
    """`python -m bookbuild --root ROOT ARGS` as a separate process."""
    proc = subprocess.run(
        [sys.executable, "-m", "bookbuild", "--root", str(root), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
    )
    return Result(proc.returncode, proc.stderr + proc.stdout)


def bookbuild_process(root: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """`python -m bookbuild --root ROOT ARGS` as a separate process, its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "bookbuild", "--root", str(root), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes (relative paths as keys)."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def last_build(root: Path) -> dict:
    return json.loads((root / ".bookbuild" / "last-build.json").read_text("utf-8"))


def executed(root: Path) -> set[str]:
    """The chapters the last successful build executed."""
    return set(last_build(root)["executed"])


def thesis_page_text(name: str) -> str:
    """The visible text of the built thesis's page `_book/<name>.html`, whitespace collapsed."""
    import html as html_module
    import re

    path = REPO / "_book" / f"{name}.html"
    if not path.exists():
        import pytest

        pytest.fail("no built edition in _book/: run `make` first")
    text = re.sub(r"<[^>]+>", " ", path.read_text("utf-8"))
    return " ".join(html_module.unescape(text).split())


def pdf_text(pdf: Path) -> str:
    """The PDF's text with whitespace collapsed (pdftotext, from poppler)."""
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(text.split())


def pdf_images(pdf: Path) -> list[list[str]]:
    """The rows of `pdfimages -list` for `pdf` (page, num, type, width, height, ... enc),
    each split into its columns."""
    listing = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    return [line.split() for line in listing.splitlines()[2:] if line.strip()]


def pdf_links(pdf: Path) -> list[tuple[str, str]]:
    """(link text, target) of every link in the PDF (pdftohtml's XML output)."""
    xml = subprocess.run(
        ["pdftohtml", "-xml", "-i", "-stdout", "-q", str(pdf)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [
        (" ".join(el.text().split()), el.attrs.get("href", ""))
        for el in parse_html(xml).find_all("a")
    ]


# --- a small DOM on html.parser ------------------------------------------------------------

_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)
    parent: Element | None = None

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(
        self, tag: str | None = None, cls: str | None = None, id: str | None = None
    ) -> list[Element]:
        return [
            e
            for e in self.iter()
            if (tag is None or e.tag == tag)
            and (cls is None or cls in e.classes)
            and (id is None or e.attrs.get("id") == id)
        ]

    def find(
        self, tag: str | None = None, cls: str | None = None, id: str | None = None
    ) -> Element:
        found = self.find_all(tag, cls, id)
        assert found, f"no <{tag or '*'} class={cls} id={id}>"
        return found[0]

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v or "" for k, v in attrs}, parent=self.current)
        self.current.children.append(element)
        if tag not in _VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(
            Element(tag, {k: v or "" for k, v in attrs}, parent=self.current)
        )

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse_html(text: str) -> Element:
    builder = _Builder()
    builder.feed(text)
    builder.close()
    return builder.root


def page(root: Path, name: str) -> Element:
    return parse_html((root / "_book" / name).read_text("utf-8"))
