"""`crossref:` options: numbering schemes against hand-written values, and each bad option
refused with the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from bookbuild_helpers import run

from bookbuild.document.crossref import Names, format_label
from bookbuild.errors import BuildError


@pytest.mark.parametrize(
    ("scheme", "numbers", "expected"),
    [
        ("arabic", (1, 2, 10), ["1", "2", "10"]),
        ("roman", (1, 4, 9, 14, 1994), ["I", "IV", "IX", "XIV", "MCMXCIV"]),
        ("roman i", (2, 3, 40), ["ii", "iii", "xl"]),
        ("alpha a", (1, 2, 26), ["a", "b", "z"]),
        ("alpha x", (1, 3), ["x", "z"]),
        ("alpha A", (1, 3), ["A", "C"]),
        ("alpha α", (1, 2), ["α", "β"]),
    ],
)
def test_numbering_schemes(scheme: str, numbers: tuple[int, ...], expected: list[str]) -> None:
    assert [format_label(scheme, n) for n in numbers] == expected


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"labels": "greek"}, "must be one of: arabic, roman, roman i, alpha <letter>"),
        ({"fig-labels": "alpha"}, "got 'alpha'"),
        ({"chapters": False}, "'chapters: false' is not supported"),
        ({"ref-hyperlink": "no"}, "must be true or false"),
        ({"custom": [{"kind": "block", "key": "dia"}]}, "kind 'block' is not supported"),
        ({"title-delim": 3}, "must be text"),
    ],
)
def test_bad_options_are_refused(options: dict, words: str) -> None:
    with pytest.raises(BuildError, match=words.replace("(", r"\(").replace(")", r"\)")):
        Names(options)


def test_defaults_and_chapters_true() -> None:
    names = Names({"chapters": True})
    assert names.label("fig", 3) == "3" and names.subref(2) == "b" and names.hyperlinks


def test_a_chapter_option_error_names_the_chapter_line(tmp_path: Path) -> None:
    root = tmp_path / "book"
    root.mkdir()
    (root / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: T\n  chapters:\n    - index.qmd\n"
        "format:\n  html: {}\n"
    )
    (root / "index.qmd").write_text("---\ncrossref:\n  fig-labels: greek\n---\n\n# One\n")
    result = run(root, "build", "--to", "html")
    assert result.code == 1
    assert "error: index.qmd:3: crossref option 'fig-labels' must be one of" in result.err


EQUATIONS = """\
# Equations

$$
E = mc^2
$$ {#eq-plain}

$$
F = ma
$$ {#eq-alt alt="Newton's second law"}

$$
a^2 + b^2 = c^2
$$ {#eq-quotes alt = 'The "Pythagorean" theorem, it\\'s'}

See @eq-plain, @eq-alt and @eq-quotes.
"""


def test_equation_alt_text(tmp_path: Path) -> None:
    from bs4 import BeautifulSoup

    root = tmp_path / "book"
    root.mkdir()
    (root / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: T\n  chapters:\n    - index.qmd\n"
        "format:\n  html: {}\n  typst: {}\n"
    )
    (root / "index.qmd").write_text(EQUATIONS)
    result = run(root, "build")
    assert result.code == 0, result.err
    page = BeautifulSoup((root / "_book" / "index.html").read_text("utf-8"), "html.parser")
    spans = {s["id"]: s for s in page.select("span.equation")}
    assert set(spans) == {"eq-plain", "eq-alt", "eq-quotes"}
    assert "aria-label" not in spans["eq-plain"].attrs
    assert spans["eq-alt"]["aria-label"] == "Newton's second law"
    assert spans["eq-quotes"]["aria-label"] == 'The "Pythagorean" theorem, it\'s'
    assert spans["eq-alt"]["role"] == "math" and spans["eq-alt"].find("math") is not None
    refs = [" ".join(a.get_text().split()) for a in page.select("a.quarto-xref")]
    assert refs == ["Equation 1.1", "Equation 1.2", "Equation 1.3"]
    assert (root / "_book" / "thesis.pdf").is_file()


def test_a_reference_to_an_id_of_no_known_kind_says_so(tmp_path: Path) -> None:
    root = tmp_path / "book"
    root.mkdir()
    (root / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: T\n  chapters:\n    - index.qmd\n"
        "format:\n  html: {}\n"
    )
    (root / "index.qmd").write_text("# One\n\n::: {#gcd-one}\nSteps.\n:::\n\nSee @gcd-one.\n")
    result = run(root, "build", "--to", "html")
    assert result.code == 1
    assert (
        "error: index.qmd:7: '@gcd-one' names an element with that id, but 'gcd-' is not a "
        "cross-reference kind (the kinds are fig, " in result.err
    )
    assert "declare a float kind of your own under crossref: custom:" in result.err
    assert "not in the bibliography" not in result.err
