"""Cell outputs as Quarto renders them, in small books built in temporary folders.

The `figures-labelled` house rule (on for the thesis) against Quarto's defaults; display
outputs chosen by MIME type per format (a `df.style` Styler, `IPython.display.HTML` and
`Markdown`); PNG figures and the figure-size options. Each case inspects the rendered HTML and
the PDF's text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bookbuild_helpers import pdf_images, pdf_text, run

pytestmark = pytest.mark.slow

CONFIG = """\
project:
  type: book
book:
  title: "Outputs"
  chapters:
    - index.qmd
    - chapters/one.qmd
execute:
  echo: false
"""
INDEX = "# Preface {.unnumbered}\n\nSee @fig-named.\n"
FIGURES = """\
# One {#sec-one}

```{python}
import matplotlib.pyplot as plt
plt.plot([1, 2, 3]);
```

```{python}
#| fig-cap: "An unnumbered rising line"
#| fig-alt: "A line falling from left to right"
plt.plot([3, 2, 1]);
```

```{python}
#| label: fig-named
#| fig-cap: "A numbered flat line"
plt.plot([2, 2, 2]);
```
"""


def write_book(
    root: Path,
    chapter: str,
    config: str = CONFIG,
    index: str = "# Preface {.unnumbered}\n\nText.\n",
) -> Path:
    (root / "chapters").mkdir(parents=True)
    (root / "_quarto.yml").write_text(config, "utf-8")
    (root / "index.qmd").write_text(index, "utf-8")
    (root / "chapters" / "one.qmd").write_text(chapter, "utf-8")
    return root


def build(root: Path) -> str:
    """Build the book; return chapter one's HTML page."""
    result = run(root, "build", "--quiet")
    assert result.code == 0, result.err
    return (root / "_book" / "one.html").read_text("utf-8")


def failure(root: Path) -> str:
    """Build the book, which must fail with one error; return that error's line."""
    result = run(root, "build", "--quiet")
    assert result.code == 1, result.err
    errors = [line for line in result.err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.err
    return errors[0]


def figures(page: str) -> list[str]:
    return re.findall(r"<figure\b.*?</figure>", page, flags=re.S)


# --- the `figures-labelled` house rule --------------------------------------------------------


@pytest.fixture(scope="module")
def quarto_defaults(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_book(tmp_path_factory.mktemp("defaults") / "book", FIGURES, index=INDEX)
    build(root)
    return root


def test_without_the_house_rule_unlabelled_figures_are_unnumbered(quarto_defaults: Path):
    page = (quarto_defaults / "_book" / "one.html").read_text("utf-8")
    found = figures(page)
    assert len(found) == 2, found  # the uncaptioned plot is a plain image, not a figure
    assert "An unnumbered rising line" in found[0] and "Figure" not in found[0]
    assert 'alt="A line falling from left to right"' in found[0]
    assert re.search(r'<img\b[^>]*alt="Figure produced by the cell at line 3"', page)
    assert "Figure\u00a01.1" in found[1] and "A numbered flat line" in found[1]
    images = re.findall(r'<img\b[^>]*src="(figures/[^"]+)"', page)
    assert len(images) == 3 and len(set(images)) == 3, images
    assert all(
        (quarto_defaults / "_book" / src).read_bytes().startswith(b"<?xml") for src in images
    )
    index = (quarto_defaults / "_book" / "index.html").read_text("utf-8")
    assert "Figure\u00a01.1" in index  # @fig-named resolves


def test_without_the_house_rule_pdf_numbers_only_the_labelled_figure(quarto_defaults: Path):
    text = pdf_text(quarto_defaults / "_book" / "thesis.pdf")
    assert "An unnumbered rising line" in text
    assert "Figure 1.1: A numbered flat line" in text
    assert "Figure 1.2" not in text


RULE = "bookbuild:\n  house-rules:\n    figures-labelled: true\n"


@pytest.mark.parametrize(
    ("cell", "line", "words"),
    [
        ("plt.plot([1]);\n", 5, "figure needs '#| label: fig-...'"),
        ('#| label: fig-a\n#| fig-cap: "A"\nplt.plot([1]);\n', 5, "'fig-a' has no fig-alt"),
        ('#| label: fig-a\n#| fig-alt: "A"\nplt.plot([1]);\n', 5, "'fig-a' has no fig-cap"),
    ],
)
def test_the_house_rule_names_itself_and_how_to_turn_it_off(
    tmp_path: Path, cell: str, line: int, words: str
):
    chapter = (
        f"# One\n\n```{{python}}\nimport matplotlib.pyplot as plt\n```\n\n"
        f"```{{python}}\n{cell}```\n"
    )
    root = write_book(tmp_path / "book", chapter, CONFIG + RULE)
    error = failure(root)
    assert f"chapters/one.qmd:{line + 2}:" in error, error
    assert words in error and "house rule" in error, error
    assert "'bookbuild: house-rules: figures-labelled: false' in _quarto.yml" in error, error


def test_a_labelled_figure_needs_a_caption_even_without_the_rule(tmp_path: Path):
    chapter = (
        "# One\n\n```{python}\n#| label: fig-a\nimport matplotlib.pyplot as plt\n"
        "plt.plot([1]);\n```\n"
    )
    error = failure(write_book(tmp_path / "book", chapter))
    assert "chapters/one.qmd:3:" in error and "'fig-a' has no fig-cap" in error, error


@pytest.mark.parametrize(
    ("setting", "line", "words"),
    [
        (
            "bookbuild:\n  house-rules:\n    figures-labeled: true\n",
            12,
            "unknown house rule 'figures-labeled' "
            "(known: figures-labelled) (did you mean 'figures-labelled'?)",
        ),
        (
            "bookbuild:\n  house-rules:\n    figures-labelled: yes please\n",
            12,
            "house rule 'figures-labelled' must be true or false, got 'yes please'",
        ),
        ("bookbuild:\n  house-rules: strict\n", 11, "bookbuild: house-rules: must be a mapping"),
        (
            "house-rules:\n  figures-labelled: true\n",
            10,
            "'house-rules:' is no longer a top-level key: move it into the build's own "
            "block, as 'bookbuild: house-rules:'",
        ),
    ],
)
def test_bad_house_rules_name_the_line(tmp_path: Path, setting: str, line: int, words: str):
    root = write_book(tmp_path / "book", "# One\n", CONFIG + setting)
    error = failure(root)
    assert f"_quarto.yml:{line}:" in error and words in error, error


# --- display outputs chosen by MIME type --------------------------------------------------

DISPLAYS = """\
# One

```{python}
import pandas as pd
from IPython.display import HTML, Markdown
frame = pd.DataFrame({"county": ["Lankao", "Qi"], "rate": [0.1234, 0.2]})
```

```{python}
frame.style.format({"rate": "{:.1%}"}).highlight_max("rate", color="yellow")
```

```{python}
#| label: tbl-styled
#| tbl-cap: "Styled rates"
frame.style.format({"rate": "{:.2%}"})
```

```{python}
HTML("<p>An <b>emphatic</b> paragraph of HTML</p>")
```

```{python}
Markdown("Some *Markdown* text")
```

```{python}
#| label: tbl-md
#| tbl-cap: "A Markdown table"
Markdown("| side | count |\\n|---|---|\\n| left | 17 |")
```

See @tbl-styled and @tbl-md.
"""


@pytest.fixture(scope="module")
def displays(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_book(tmp_path_factory.mktemp("displays") / "book", DISPLAYS)
    build(root)
    return root


def test_html_edition_shows_the_html_and_markdown(displays: Path):
    page = (displays / "_book" / "one.html").read_text("utf-8")
    assert " at 0x" not in page and "object>" not in page
    # the Styler's table, a Bootstrap `table` as Quarto makes every raw HTML table
    styled = re.search(r'<table class="table" id="T_cell(\d+)">.*?</table>', page, flags=re.S)
    assert styled and styled[1] == "9", page  # the Styler's own table, its id from the line
    assert "12.3%" in styled[0] and "20.0%" in styled[0]
    assert re.search(r"#T_cell9_row1_col1 \{\s*background-color: yellow;", page)
    assert "<p>An <b>emphatic</b> paragraph of HTML</p>" in page
    assert "Some <em>Markdown</em> text" in page


def test_captioned_displays_are_numbered_tables(displays: Path):
    page = (displays / "_book" / "one.html").read_text("utf-8")
    tables = {
        m[1]: m[2]
        for m in re.finditer(r'<table[^>]*id="(tbl-[a-z]+)"(.*?)</table>', page, flags=re.S)
    }
    if not tables:  # the id may sit on a wrapper rather than on the table
        tables = {
            m[1]: m[2] for m in re.finditer(r'id="(tbl-[a-z]+)"(.*?)</table>', page, flags=re.S)
        }
    assert set(tables) == {"tbl-styled", "tbl-md"}, page
    assert "Table\u00a01.1" in tables["tbl-styled"] and "Styled rates" in tables["tbl-styled"]
    assert "12.34%" in tables["tbl-styled"] and "Lankao" in tables["tbl-styled"]
    assert "Table\u00a01.2" in tables["tbl-md"] and "17" in tables["tbl-md"]
    assert re.search(r"See <a [^>]*>Table\u00a01\.1</a> and <a [^>]*>Table\u00a01\.2</a>", page), (
        page
    )


def test_pdf_edition_shows_every_display(displays: Path):
    text = pdf_text(displays / "_book" / "thesis.pdf")
    assert "at 0x" not in text and "object>" not in text
    assert re.search(r"county rate 0 Lankao 12\.3% 1 Qi 20\.0%", text), text
    assert "An emphatic paragraph of HTML" in text
    assert "Some Markdown text" in text
    assert "Table 1.1: Styled rates" in text and re.search(r"Lankao 12\.34%", text)
    assert "Table 1.2: A Markdown table" in text and "left 17" in text
    assert "See Table 1.1 and Table 1.2" in text


def test_a_styler_rebuilds_to_the_same_bytes(displays: Path):
    before = (displays / "_book" / "one.html").read_bytes()
    result = run(displays, "build", "--quiet", "--no-cache", "--to", "html")
    assert result.code == 0, result.err
    assert (displays / "_book" / "one.html").read_bytes() == before


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ("object()\n", "cell shows an object with no display form (<object at 0x"),
        (
            "#| tbl-cap: \"Nothing\"\nfrom IPython.display import HTML\nHTML('<p>no table</p>')\n",
            "cell has tbl-cap but its HTML output holds no <table>",
        ),
        (
            "from IPython.display import HTML\nHTML('<script>1</script>')\n",
            "cell shows HTML with no content for the PDF",
        ),
    ],
)
def test_outputs_without_a_usable_form_name_the_cell(tmp_path: Path, cell: str, words: str):
    root = write_book(tmp_path / "book", f"# One\n\nText.\n\n```{{python}}\n{cell}```\n")
    error = failure(root)
    assert "chapters/one.qmd:5:" in error and words in error, error


# --- PNG figures and the figure-size options ------------------------------------------------

SIZES = """\
# One

```{python}
#| label: fig-png
#| fig-cap: "A raster figure"
#| fig-alt: "A falling line"
#| fig-format: png
#| fig-width: 4
#| fig-height: 2
#| fig-dpi: 50
import matplotlib.pyplot as plt
plt.plot([3, 2, 1]);
```

```{python}
#| label: fig-after
#| fig-cap: "The next figure is SVG again"
#| fig-alt: "A rising line"
plt.plot([1, 2, 3]);
```

```{python}
import io
from IPython.display import Image
from PIL import Image as Pillow
buffer = io.BytesIO()
Pillow.new("RGB", (2, 2), (200, 30, 30)).save(buffer, "PNG")
Image(data=buffer.getvalue())
```
"""


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


@pytest.fixture(scope="module")
def sizes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_book(tmp_path_factory.mktemp("sizes") / "book", SIZES)
    build(root)
    return root


def test_png_figure_honours_format_size_and_dpi(sizes: Path):
    page = (sizes / "_book" / "one.html").read_text("utf-8")
    found = figures(page)
    assert 'src="figures/fig-png.png"' in found[0] and 'alt="A falling line"' in found[0]
    width, height = png_size((sizes / "_book" / "figures" / "fig-png.png").read_bytes())
    # 4 x 2 inches at 50 dpi, give or take the tight crop of the margins
    assert 150 <= width <= 230 and 70 <= height <= 115, (width, height)
    assert 1.6 <= width / height <= 2.6
    assert (sizes / "_book" / "figures" / "fig-after.svg").read_bytes().startswith(b"<?xml")
    assert 'src="figures/fig-after.svg"' in found[1]  # the options held for their cell only


def test_an_image_png_output_is_an_image_in_both_editions(sizes: Path):
    page = (sizes / "_book" / "one.html").read_text("utf-8")
    plain = re.findall(r'<img\b[^>]*src="(figures/chapters-one-figure-1\.png)"', page)
    assert plain, page
    assert png_size((sizes / "_book" / plain[0]).read_bytes()) == (2, 2)
    text = pdf_text(sizes / "_book" / "thesis.pdf")
    assert "Figure 1.1: A raster figure" in text and "Figure 1.2: The next figure" in text
    widths = [int(row[3]) for row in pdf_images(sizes / "_book" / "thesis.pdf")]
    assert any(150 <= w <= 230 for w in widths) and 2 in widths, widths


@pytest.mark.parametrize(
    ("option", "words"),
    [
        ("fig-format: jpeg", "cell option 'fig-format' must be one of: svg, png; got 'jpeg'"),
        ("fig-dpi: 0", "cell option 'fig-dpi' must be a positive whole number; got 0"),
        ("fig-width: wide", "cell option 'fig-width' must be a positive number; got 'wide'"),
    ],
)
def test_bad_figure_options_name_the_option_and_line(tmp_path: Path, option: str, words: str):
    root = write_book(tmp_path / "book", f"# One\n\n```{{python}}\n#| {option}\n1\n```\n")
    error = failure(root)
    assert "chapters/one.qmd:4:" in error and words in error, error


# --- echo: fenced, code-fold, code-summary, output: asis ----------------------------------

CODE = """\
# One

```{python}
#| echo: fenced
1 + 1
```

```{python}
#| echo: true
#| code-fold: true
#| code-summary: "Show the sum"
2 + 3
```

```{python}
#| echo: true
#| code-fold: show
4 + 5
```

```{python}
#| output: asis
print("A paragraph with **bold** words from print.")
```
"""


def untagged(html_text: str) -> str:
    """HTML with its tags removed and entities decoded (code is split into token spans)."""
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


@pytest.fixture(scope="module")
def code(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_book(tmp_path_factory.mktemp("code") / "book", CODE)
    build(root)
    return root


def test_echo_fenced_shows_the_whole_cell(code: Path):
    page = (code / "_book" / "one.html").read_text("utf-8")
    blocks = [untagged(b) for b in re.findall(r"<pre\b.*?</pre>", page, flags=re.S)]
    assert "```{python}\n#| echo: fenced\n1 + 1\n```" in blocks[0], blocks
    assert blocks[1].strip() == "2", blocks  # then its output
    text = pdf_text(code / "_book" / "thesis.pdf")
    assert "```{python} #| echo: fenced 1 + 1 ``` 2" in text, text


def test_code_fold_folds_in_html_only(code: Path):
    page = (code / "_book" / "one.html").read_text("utf-8")
    folds = re.findall(
        r'<details class="code-fold"( open)?><summary>(.*?)</summary>(.*?)'
        r"</details>",
        page,
        flags=re.S,
    )
    assert [(opened, summary) for opened, summary, _ in folds] == [
        ("", "Show the sum"),
        (" open", "Code"),
    ], folds
    assert untagged(folds[0][2]).strip() == "2 + 3"
    assert untagged(folds[1][2]).strip() == "4 + 5"
    assert "<pre" in page.split("Show the sum")[1].split("</details>")[1]  # output outside
    text = pdf_text(code / "_book" / "thesis.pdf")
    assert "2 + 3 5 4 + 5 9" in text and "Show the sum" not in text, text


def test_output_asis_is_markdown(code: Path):
    page = (code / "_book" / "one.html").read_text("utf-8")
    assert "<p>A paragraph with <strong>bold</strong> words from print.</p>" in page
    text = pdf_text(code / "_book" / "thesis.pdf")
    assert "A paragraph with bold words from print." in text and "**" not in text


@pytest.mark.parametrize(
    ("option", "words"),
    [
        ("echo: folded", "cell option 'echo' must be one of: true, false, fenced; got 'folded'"),
        (
            "code-fold: hide",
            "cell option 'code-fold' must be one of: true, false, show; got 'hide'",
        ),
    ],
)
def test_bad_code_options_name_the_line(tmp_path: Path, option: str, words: str):
    root = write_book(tmp_path / "book", f"# One\n\n```{{python}}\n#| {option}\n1\n```\n")
    error = failure(root)
    assert "chapters/one.qmd:4:" in error and words in error, error


def test_a_latex_formula_output_is_math_in_both_editions(tmp_path: Path):
    chapter = (
        "# One\n\n```{python}\nfrom IPython.display import Latex\n"
        "Latex(r'$\\frac{a}{b} + x^{2}$')\n```\n"
    )
    page = build(write_book(tmp_path / "book", chapter))
    math = re.search(r"<math\b.*?</math>", page, flags=re.S)
    assert math and "<mfrac>" in math[0] and "<msup>" in math[0], page
    assert "Latex object" not in page
    text = pdf_text(tmp_path / "book" / "_book" / "thesis.pdf")
    assert "Latex object" not in text and "frac" not in text
    assert re.search(r"𝑎 2 𝑏 \+ ?𝑥", text), text  # a over b, then x with its exponent


def test_latex_that_is_not_a_formula_has_no_form_here(tmp_path: Path):
    chapter = (
        "# One\n\n```{python}\nfrom IPython.display import Latex\n"
        "Latex(r'\\begin{tabular}{c} 1 \\end{tabular}')\n```\n"
    )
    error = failure(write_book(tmp_path / "book", chapter))
    assert "chapters/one.qmd:3:" in error and "no display form" in error, error
