"""`thesis verify` catches every kind of tampering, and clean rebuilds are byte-identical."""

from __future__ import annotations

import hashlib
import json
import shutil
import textwrap
from pathlib import Path

import pytest

from bookbuild.commands.build import build
from bookbuild.commands.progress import Reporter
from bookbuild.commands.verify import Row, verify

pytestmark = pytest.mark.slow

CHAPTER = """\
# Values {#sec-values}

```{python}
#| include: false
import mylib
frame = mylib.load()
```

The mean is `{python} mylib.mean_text(frame)`.

```{python}
#| label: fig-values
#| fig-cap: "Values"
#| fig-alt: "Bars of three values."
mylib.figure(frame)
```
"""

LIB = '''\
"""A tiny analysis module for the verify tests."""
import matplotlib.pyplot as plt
import pandas as pd


def load():
    return pd.read_csv("data/raw/values.csv")


def mean_text(frame):
    return f"{frame['value'].mean():.2f}"


def figure(frame):
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.bar(frame["name"], frame["value"])
    ax.set_ylabel("Value")
    return fig
'''


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), "utf-8")


def _make_project(root: Path) -> None:
    _write(
        root,
        {
            "_quarto.yml": """\
            project:
              type: book
            book:
              title: Verify test
              author: Tester
              chapters:
                - index.qmd
                - chapters/01-values.qmd
            """,
            "index.qmd": "# Preface {.unnumbered}\n\nA preface.\n",
            "chapters/01-values.qmd": CHAPTER,
            "mylib.py": LIB,
            "data/raw/values.csv": "name,value\na,1\nb,2\nc,4\n",
        },
    )
    digest = hashlib.sha256((root / "data/raw/values.csv").read_bytes()).hexdigest()
    (root / "data/raw/SHA256SUMS").write_text(f"{digest}  values.csv\n", "utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("verify") / "book"
    _make_project(root)
    build(root, reporter=Reporter(quiet=True))
    return root


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "book"
    shutil.copytree(built, copy, symlinks=True)
    return copy


def _bad(rows: list[Row]) -> dict[str, Row]:
    return {row.item: row for row in rows if not row.ok}


def _verify(root: Path) -> list[Row]:
    return verify(root, reporter=Reporter(quiet=True))


def test_untouched_edition_verifies(project: Path) -> None:
    rows = _verify(project)
    assert _bad(rows) == {}
    items = {row.item for row in rows}
    assert "data/raw/values.csv" in items
    assert "chapters/01-values.qmd fig-values" in items
    assert "_book/01-values.html" in items


def test_prose_edit_that_moves_cells_still_verifies(project: Path) -> None:
    chapter = project / "chapters/01-values.qmd"
    first, rest = chapter.read_text("utf-8").split("\n", 1)
    chapter.write_text(f"{first}\n\nTwo new paragraphs.\n\nThey move every cell down.\n{rest}")
    build(project, reporter=Reporter(quiet=True))  # cells reused from _freeze/: lines moved
    assert _bad(_verify(project)) == {}


def test_changed_raw_byte_is_caught(project: Path) -> None:
    raw = project / "data/raw/values.csv"
    raw.write_text(raw.read_text().replace("c,4", "c,5"))
    bad = _bad(_verify(project))
    assert bad["data/raw/values.csv"].status == "changed"
    # the rebuilt value no longer matches what the edition shows
    value = next(row for key, row in bad.items() if "mean_text" in key)
    assert "'2.33'" in value.detail and "'2.67'" in value.detail


def test_changed_analysis_function_is_caught(project: Path) -> None:
    lib = project / "mylib.py"
    lib.write_text(lib.read_text().replace(":.2f", ":.3f"))
    bad = _bad(_verify(project))
    value = next(row for key, row in bad.items() if "mean_text" in key)
    assert value.status == "differs" and "'2.333'" in value.detail
    assert "_book/01-values.html" in bad


def test_edited_figure_in_edition_is_caught(project: Path) -> None:
    svg = project / "_book/figures/fig-values.svg"
    svg.write_text(svg.read_text().replace("Value", "Valve"))
    bad = _bad(_verify(project))
    assert bad["_book/figures/fig-values.svg"].status == "differs"


def test_number_typed_into_notebook_is_caught(project: Path) -> None:
    path = project / "_freeze/chapters/01-values/notebook.ipynb"
    notebook = json.loads(path.read_text())
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/plain")
            if "".join(text or []) == "2.33":  # a string, or a list of lines
                output["data"]["text/plain"] = "9.99"
    path.write_text(json.dumps(notebook))
    bad = _bad(_verify(project))
    assert "_freeze/chapters/01-values/notebook.ipynb" in bad, bad
    row = bad["_freeze/chapters/01-values/notebook.ipynb"]
    assert row.status == "differs" and "inline at line" in row.detail


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_two_clean_builds_are_byte_identical(tmp_path: Path) -> None:
    editions = []
    for name in ("first", "second"):
        root = tmp_path / name / "book"  # same relative layout, different absolute paths
        _make_project(root)
        build(root, reporter=Reporter(quiet=True))
        editions.append(_digests(root / "_book"))
    assert editions[0].keys() == editions[1].keys()
    assert "thesis.pdf" in editions[0] and "figures/fig-values.svg" in editions[0]
    different = [name for name in editions[0] if editions[0][name] != editions[1][name]]
    assert different == []


def test_a_web_font_from_a_tampered_cache_is_caught(project: Path) -> None:
    from bookbuild.writers.webfont import FONT_FILE, subset_font

    index = project / "index.qmd"
    index.write_text(index.read_text("utf-8") + "\n[精准扶贫]{lang=zh}\n", "utf-8")
    build(project, reporter=Reporter(quiet=True))
    shipped = (project / "_book" / FONT_FILE).read_bytes()
    [entry] = [
        e for e in (project / ".bookbuild").glob("cjk-*.woff2") if e.read_bytes() == shipped
    ]  # the regular face's entry
    entry.write_bytes(subset_font("共享"))  # whole, but the wrong glyphs
    (project / "_book" / FONT_FILE).unlink()  # make the next build render again
    build(project, use_cache=False, reporter=Reporter(quiet=True))
    assert (project / "_book" / FONT_FILE).read_bytes() == entry.read_bytes()  # shipped
    bad = _bad(_verify(project))  # verify subsets the font afresh, so it sees the difference
    assert set(bad) == {f"_book/{FONT_FILE}"}, bad
    assert bad[f"_book/{FONT_FILE}"].status == "differs"
