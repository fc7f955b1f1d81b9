"""A cell's several plots as subfigures (`fig-subcap`, `layout-ncol`) and a cell's code as a
listing (`lst-label`, `lst-cap`): the markdown `weave` writes, and what it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from bookbuild.errors import BuildError
from bookbuild.execute.kernel import effective_options
from bookbuild.execute.weave import Woven, weave_cell
from bookbuild.source.qmd import parse_qmd

SVG = '<svg xmlns="http://www.w3.org/2000/svg"><rect width="{n}" height="1"/></svg>'


def _plots(count: int) -> list[dict]:
    return [
        {"output_type": "display_data", "data": {"image/svg+xml": SVG.format(n=n)}}
        for n in range(1, count + 1)
    ]


def _weave(options: str, outputs: list[dict]) -> tuple[str, Woven]:
    doc = parse_qmd(f"# T\n\n```{{python}}\n{options}x = 1\n```\n", Path("c.qmd"))
    cell = doc.cells[0]
    woven = Woven(markdown="")
    text = weave_cell(cell, outputs, effective_options(cell, {}), doc, woven)
    return text, woven


def test_two_plots_become_subfigures_with_their_captions_and_layout():
    text, woven = _weave(
        "#| label: fig-two\n#| fig-cap: Both\n#| fig-subcap: [One, Two]\n"
        "#| layout-ncol: 2\n#| echo: false\n",
        _plots(2),
    )
    assert text.startswith(":::: {#fig-two layout-ncol=")
    assert '::: {#fig-two-1}\n![](figures/fig-two-1.svg){fig-alt="One"}\n\nOne\n:::' in text
    assert '::: {#fig-two-2}\n![](figures/fig-two-2.svg){fig-alt="Two"}\n\nTwo\n:::' in text
    assert "\nBoth\n::::\n" in text
    assert woven.files["figures/fig-two-2.svg"] == SVG.format(n=2).encode()
    assert [i["label"] for i in woven.items] == ["fig-two-1", "fig-two-2"]


def test_subfigures_without_subcaptions_get_alt_text_naming_the_cell():
    text, _ = _weave("#| label: fig-two\n#| fig-cap: Both\n#| echo: false\n", _plots(2))
    assert 'fig-alt="Subfigure 2 of the figure produced by the cell at line 3"' in text


@pytest.mark.parametrize(
    ("options", "count", "message"),
    [
        ("#| fig-subcap: [A, B]\n", 2, "a cell with fig-subcap needs '#| label: fig-...'"),
        (
            "#| label: fig-x\n#| fig-cap: X\n#| fig-subcap: [A]\n",
            2,
            "cell 'fig-x' has 1 fig-subcap caption(s) for 2 figure(s)",
        ),
        ("#| label: fig-x\n", 2, "figure 'fig-x' has no fig-cap"),
    ],
)
def test_what_a_cell_of_several_plots_needs(options, count, message):
    with pytest.raises(BuildError) as raised:
        _weave(options, _plots(count))
    assert message in str(raised.value) and "c.qmd:3" in str(raised.value)


def test_an_unlabelled_cells_plots_are_shown_one_after_another():
    text, woven = _weave("#| echo: false\n", _plots(2))
    assert text.count("![Figure produced by the cell at line 3](figures/") == 2
    assert len([f for f in woven.files if f.endswith(".svg")]) == 2
    assert ":::" not in text


def test_lst_label_makes_the_echoed_code_a_captioned_listing():
    text, _ = _weave('#| lst-label: lst-x\n#| lst-cap: "The code"\n', [])
    assert text.startswith('``` {#lst-x lst-cap="The code" .python .cell-code}\nx = 1\n```')


def test_lst_label_and_layout_options_are_checked():
    with pytest.raises(BuildError, match="'layout-ncol' must be a positive whole number"):
        _weave("#| layout-ncol: 0\n", [])
    with pytest.raises(BuildError, match="'lst-cap' must be one of: text"):
        _weave("#| lst-cap: [a]\n", [])
