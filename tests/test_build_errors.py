"""Bad input through the command line: exit code 1, an error naming the file and line, and the
previously published `_book/` left byte for byte as it was.

A small book is built once; each case copies it (with its edition and cache), breaks one thing
and builds again.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bookbuild_helpers import REPO, copy_book, run, run_process, snapshot

from bookbuild.document import pandoc
from bookbuild.document.chapter import Chapter
from bookbuild.document.crossref import number_book, resolve_references
from bookbuild.errors import BuildError

pytestmark = pytest.mark.slow

CONFIG = """\
project:
  type: book
book:
  title: "Errors"
  chapters:
    - index.qmd
    - chapters/one.qmd
bibliography: refs.bib
execute:
  echo: false
"""
INDEX = "# Preface {.unnumbered}\n\nSee @sec-one and @known2000.\n"
ONE = """\
# One {#sec-one}

```{python}
x = 6 * 7
```

The answer is `{python} x`.
"""
BIB = "@book{known2000,\n  author = {Known, A.},\n  title = {A Known Book},\n  year = {2000},\n}\n"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("errors") / "book"
    (root / "chapters").mkdir(parents=True)
    (root / "_quarto.yml").write_text(CONFIG)
    (root / "index.qmd").write_text(INDEX)
    (root / "chapters" / "one.qmd").write_text(ONE)
    (root / "refs.bib").write_text(BIB)
    result = run(root, "build")
    assert result.code == 0, result.err
    assert "The answer is 42." in (root / "_book" / "one.html").read_text("utf-8")
    return root


@pytest.fixture
def book(published: Path, tmp_path: Path) -> Path:
    """A fresh copy of the published book, edition and cache included."""
    return copy_book(published, tmp_path / "book", with_products=True)


def fails(root: Path, where: str, *words: str, process: bool = False) -> str:
    """Build `root`; check it failed naming `where`, published nothing; return the message."""
    before = snapshot(root / "_book")
    result = (run_process if process else run)(root, "build", "--quiet")
    assert result.code == 1, result.err
    errors = [line for line in result.err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.err  # one error ...
    paragraph = result.err[result.err.index(errors[0]) : result.err.index("nothing was published")]
    assert where in paragraph, result.err  # ... whose paragraph names the file and line
    for word in words:
        assert word in result.err, (word, result.err)
    assert "nothing was published" in result.err
    assert snapshot(root / "_book") == before
    assert not list(root.glob("._book.*")), "a staging folder was left behind"
    return result.err


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_cell_that_raises(book: Path):
    edit(
        book / "chapters" / "one.qmd",
        "x = 6 * 7\n",
        "x = 6 * 7\n```\n\n```{python}\n"
        "def inner():\n    raise ValueError('boom in cell')\ninner()\n",
    )
    err = fails(book, "chapters/one.qmd:7:", "cell raised ValueError: boom in cell")
    assert "Traceback" in err or "inner()" in err  # the traceback follows the message
    assert re.search(r"inner\(\)", err)


def test_kernel_that_dies(book: Path):
    edit(book / "chapters" / "one.qmd", "x = 6 * 7\n", "import os\nos._exit(1)\n")
    fails(book, "chapters/one.qmd:3:", "kernel died", process=True)


def test_unknown_cross_reference(book: Path):
    edit(book / "chapters" / "one.qmd", "The answer", "As @fig-x shows, the answer")
    err = fails(book, "chapters/one.qmd:7:", "unknown cross-reference '@fig-x'")
    assert "??" not in err


def test_unknown_citation_key(book: Path):
    edit(book / "index.qmd", "@known2000", "@unknown1999")
    fails(book, "index.qmd:3:", "unknown citation key '@unknown1999'")


def test_option_of_the_wrong_type(book: Path):
    edit(book / "chapters" / "one.qmd", "```{python}\n", '```{python}\n#| echo: "yes"\n')
    fails(book, "chapters/one.qmd:4:", "'echo' must be one of: true, false")


def test_unterminated_fence(book: Path):
    (book / "chapters" / "one.qmd").write_text(ONE + "\n```{python}\ny = 1\n")
    fails(book, "chapters/one.qmd:9:", "never closed")


def test_bad_yaml_in_config(book: Path):
    edit(book / "_quarto.yml", "  echo: false\n", "  echo: [false\n")
    err = fails(book, "_quarto.yml:", "invalid YAML")
    assert int(re.search(r"_quarto\.yml:(\d+):", err)[1]) in (11, 12)


def test_bad_yaml_in_front_matter(book: Path):
    (book / "chapters" / "one.qmd").write_text("---\ntitle: One\nbad: [1, 2\n---\n" + ONE)
    err = fails(book, "chapters/one.qmd:", "invalid YAML")
    assert int(re.search(r"chapters/one\.qmd:(\d+):", err)[1]) in (3, 4)


def test_missing_chapter_file(book: Path):
    (book / "chapters" / "one.qmd").unlink()
    fails(book, "_quarto.yml:7:", "chapter file not found: chapters/one.qmd")


def test_figure_without_alt_text(book: Path):
    edit(
        book / "_quarto.yml",
        "execute:\n",
        "bookbuild:\n  house-rules:\n    figures-labelled: true\nexecute:\n",
    )
    edit(
        book / "chapters" / "one.qmd",
        "x = 6 * 7\n",
        "x = 6 * 7\n```\n\n```{python}\n"
        '#| label: fig-line\n#| fig-cap: "A line"\n'
        "import matplotlib.pyplot as plt\nplt.plot([1, 2]);\n",
    )
    fails(book, "chapters/one.qmd:7:", "figure 'fig-line' has no fig-alt", "house rule")


# --- where reference errors point (units on Pandoc's AST, no build) -------------------------


def chapters_from(texts: dict[str, str]) -> list[Chapter]:
    chapters = []
    for name, text in texts.items():
        blocks = pandoc.markdown_to_ast(text, REPO, name)["blocks"]
        chapters.append(
            Chapter(
                path=Path(name),
                page=name.replace(".qmd", ".html"),
                appendix=False,
                part=None,
                source=text,
                blocks=blocks,
            )
        )
    return chapters


def test_unknown_output_format(book: Path):
    before = snapshot(book / "_book")
    for command in ("build", "preview"):
        result = run(book, command, "--to", "html,epub")
        assert result.code == 1
        assert "unknown format(s) for --to: epub (choose html, pdf)" in result.err
    assert snapshot(book / "_book") == before


def test_unknown_reference_points_at_its_own_line():
    text = "# One\n\nSee @fig-a.\n\n![A](a.svg){#fig-a}\n\nAnd @fig-ab here, mail a@fig-ab.org.\n"
    chapters = chapters_from({"one.qmd": text})
    with pytest.raises(BuildError) as info:
        resolve_references(chapters, number_book(chapters), set())
    assert str(info.value) == "one.qmd:7: unknown cross-reference '@fig-ab'"


def test_duplicate_label_points_at_the_second_definition():
    table = "| a |\n|---|\n| 1 |\n\n: A {{#tbl-{}}}\n\n"
    text = "# One\n\nSee @tbl-a.\n\n" + table.format("a") + table.format("ab") + table.format("a")
    with pytest.raises(BuildError) as info:
        number_book(chapters_from({"one.qmd": text}))
    assert info.value.line == 21
    assert "tbl-a' is defined twice (also at line 9)" in info.value.message


def test_duplicate_label_names_the_other_chapter_and_its_line():
    chapters = chapters_from({"one.qmd": "# One {#sec-a}\n", "two.qmd": "# Two\n\n## A {#sec-a}\n"})
    with pytest.raises(BuildError) as info:
        number_book(chapters)
    assert str(info.value).startswith(
        "two.qmd:3: label 'sec-a' is defined twice (also at one.qmd:1)"
    )
