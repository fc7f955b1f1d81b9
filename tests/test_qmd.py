"""The `.qmd` parser: blocks, cell options, inline expressions, errors with file and line.

The property test generates documents mixing prose, inline `{python}` expressions, fences of
other languages and Python cells with `#|` options, and checks the parse is lossless and finds
exactly the cells, options and expressions that were put in.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookbuild.errors import BuildError
from bookbuild.source.qmd import Cell, Markdown, find_inlines, parse_qmd

P = Path("chapters/x.qmd")


def parse(text: str):
    return parse_qmd(text, P)


def error_of(text: str) -> BuildError:
    with pytest.raises(BuildError) as info:
        parse(text)
    assert info.value.path == P
    return info.value


# --- units -------------------------------------------------------------------------------


def test_front_matter_blocks_and_lines():
    text = (
        "---\ntitle: Hello\n---\n"  # lines 1-3
        "# Heading\n\nSome prose.\n\n"  # lines 4-7
        "```{python}\n"  # line 8
        "#| label: tbl-x\n#| echo: false\n"
        "x = 1\nx\n```\n"  # closes on line 13
        "After.\n"  # line 14
    )
    doc = parse(text)
    assert doc.front_matter == {"title": "Hello"}
    assert doc.source() == text
    kinds = [type(b) for b in doc.blocks]
    assert kinds == [Markdown, Cell, Markdown]
    first, cell, last = doc.blocks
    assert first.line == 4
    assert cell.line == 8
    assert cell.options == {"label": "tbl-x", "echo": False}
    assert cell.code == "x = 1\nx"
    assert last.line == 14 and last.raw == "After.\n"


def test_other_language_fences_and_raw_blocks_stay_markdown():
    text = (
        "# T\n\n```r\nx <- 1\n```\n\n~~~~ {.python}\nnot run\n~~~~\n\n"
        "```{=html}\n<b>raw</b>\n```\n\n```{.bash}\necho hi\n```\n"
    )
    doc = parse(text)
    assert doc.cells == []
    assert doc.source() == text


def test_longer_fence_contains_shorter_one():
    text = "# T\n\n````markdown\n```{python}\nx = 1\n```\n````\n\n```{python}\ny = 2\n```\n"
    doc = parse(text)
    assert [c.code for c in doc.cells] == ["y = 2"]
    assert doc.cells[0].line == 9


def test_inline_expressions_in_document_order_with_lines():
    text = (
        "# T\n\nA `{python} a + 1` and `{python} f'{b:.2f}'`.\n\n"
        "```{python}\nc = 3\n```\n\nThen `{python}   c  ` here.\n"
    )
    doc = parse(text)
    found = [(i.expr, i.line) for i in doc.inlines()]
    assert found == [("a + 1", 3), ("f'{b:.2f}'", 3), ("c", 9)]


def test_inline_expressions_inside_other_fences_are_not_evaluated():
    text = "# T\n\n```markdown\nWrite `{python} x` in prose.\n```\n\nReal `{python} y`.\n"
    assert [i.expr for i in parse(text).inlines()] == ["y"]
    assert [i.line for i in find_inlines("a\n`{python} z`\n", 10)] == [11]


@pytest.mark.parametrize("value", ["true", "false", "asis"])
def test_output_option_values(value):
    doc = parse(f"# T\n\n```{{python}}\n#| output: {value}\nprint(1)\n```\n")
    assert doc.cells[0].options["output"] == {"true": True, "false": False}.get(value, value)


def test_every_supported_option_parses():
    text = (
        '# T\n\n```{python}\n#| label: fig-a\n#| fig-cap: "Cap"\n#| fig-alt: "Alt"\n'
        "#| echo: true\n#| warning: false\n#| include: true\n#| eval: true\n"
        "#| error: false\nplot()\n```\n\n```{python}\n#| label: tbl-b\n#| tbl-cap: T\nt\n```\n"
    )
    first, second = parse(text).cells
    assert first.options == {
        "label": "fig-a",
        "fig-cap": "Cap",
        "fig-alt": "Alt",
        "echo": True,
        "warning": False,
        "include": True,
        "eval": True,
        "error": False,
    }
    assert second.options == {"label": "tbl-b", "tbl-cap": "T"}


def test_wrong_option_type_names_the_option_line():
    err = error_of('# T\n\n```{python}\n#| label: a\n#| echo: "yes"\nx\n```\n')
    assert err.line == 5
    assert "echo" in err.message and "true, false" in err.message


def test_output_option_rejects_other_strings():
    err = error_of("# T\n\n```{python}\n#| output: markup\nx\n```\n")
    assert err.line == 4 and "asis" in err.message


def test_option_quarto_knows_but_build_does_not_support():
    err = error_of("# T\n\n```{python}\n#| code-overflow: wrap\nx\n```\n")
    assert err.line == 4 and "not supported by this build" in err.message


def test_option_unknown_to_quarto():
    err = error_of("# T\n\n```{python}\n#| echo: true\n#| colour: red\nx\n```\n")
    assert err.line == 5 and "not a Quarto option" in err.message


def test_option_key_with_space_before_colon_is_located():
    err = error_of("# T\n\n```{python}\n#| echo : 3\nx\n```\n")
    assert err.line == 4 and "echo" in err.message


def test_options_that_are_not_a_mapping():
    err = error_of("# T\n\n```{python}\n#| just text\nx\n```\n")
    assert err.line == 4


def test_bad_yaml_in_options_points_at_the_line():
    err = error_of("# T\n\n```{python}\n#| echo: true\n#| fig-cap: [unclosed\nx\n```\n")
    assert err.line in (5, 6) and "YAML" in err.message


def test_unterminated_fence_names_opening_line():
    err = error_of("# T\n\ntext\n\n```{python}\nx = 1\n")
    assert err.line == 5 and "never closed" in err.message
    err = error_of("# T\n\n````r\nx\n```\n")
    assert err.line == 3


def test_other_engines_are_errors():
    assert error_of("# T\n\n```{r}\n1\n```\n").line == 3
    err = error_of("# T\n\nValue `{r} 1 + 1` here.\n")
    assert err.line == 3 and "{r}" in err.message


def test_other_engines_inside_fenced_examples_are_fine():
    text = "# T\n\n```markdown\nWrite `{r} 1 + 1` in R.\n```\n\nAfter `{r} 2` here.\n"
    assert error_of(text).line == 7


def test_front_matter_errors():
    assert "never closed" in error_of("---\ntitle: x\n\n# T\n").message
    err = error_of("---\ntitle: x\nbad: [1, 2\n---\n# T\n")
    assert err.line in (3, 4) and "YAML" in err.message
    assert error_of("---\n- a\n- b\n---\n# T\n").line == 1


def test_front_matter_custom_key_is_metadata():
    assert parse("---\ntitle: x\nnot-an-option: 1\n---\n# T\n").front_matter == {
        "title": "x",
        "not-an-option": 1,
    }


def test_front_matter_execute_options_are_checked():
    err = error_of('---\nexecute:\n  echo: "yes"\n---\n# T\n')
    assert err.line == 3 and "echo" in err.message
    doc = parse("---\nexecute:\n  echo: true\n---\n# T\n")
    assert doc.front_matter["execute"] == {"echo": True}


# --- property: lossless round trip ---------------------------------------------------------

_WORDS = st.text(
    alphabet="abcdefghij KLMN.,;:!?()[]*_#-+=\u5171\u4eab", min_size=1, max_size=30
).filter(lambda s: s.strip() and not s.lstrip().startswith(("#|",)))
_EXPRS = st.text(alphabet="abcxyz0123456789+-*/() .'\"", min_size=1, max_size=12).filter(
    lambda s: s.strip()
)
_CODE = st.lists(
    st.text(alphabet="abcdefxyz0123456789 =+-*()[]'\".:#", max_size=25).filter(
        lambda s: not s.lstrip().startswith(("#|", "```", "~~~"))
    ),
    max_size=4,
)


@st.composite
def prose(draw):
    """A paragraph with inline expressions; returns (text, expressions)."""
    lines, exprs = [], []
    for _ in range(draw(st.integers(1, 3))):
        words = draw(_WORDS).lstrip("#").strip() or "x"
        if draw(st.booleans()):
            expr = draw(_EXPRS).strip()
            exprs.append(expr)
            words = f"{words} `{{python}} {expr}` {draw(_WORDS).strip() or 'y'}"
        lines.append(words)
    return "\n".join(lines) + "\n\n", exprs


@st.composite
def other_fence(draw):
    char = draw(st.sampled_from(["`", "~"]))
    fence = char * draw(st.integers(3, 5))
    info = draw(st.sampled_from(["", "r", "bash", "{.python}", "{=html}", "markdown"]))
    body = draw(
        st.lists(
            st.sampled_from(
                ["x <- 1", "`{python} not_me`", "```", "~~~~~~~~", "#| echo: false", "plain"]
            ),
            max_size=3,
        )
    )
    # a line of the same fence character at least as long would close it: keep those out
    body = [b for b in body if not (b[0] == char and len(b) >= len(fence))]
    return (
        f"{fence}{' ' if info and draw(st.booleans()) else ''}{info}\n"
        + "".join(f"{b}\n" for b in body)
        + f"{fence}\n\n"
    )


@st.composite
def python_cell(draw):
    options = {}
    if draw(st.booleans()):
        options["echo"] = draw(st.booleans())
    if draw(st.booleans()):
        options["output"] = draw(st.sampled_from([True, False, "asis"]))
    if draw(st.booleans()):
        options["label"] = "tbl-" + draw(st.text(alphabet="abcxyz", min_size=1, max_size=6))
        options["tbl-cap"] = draw(_WORDS).strip() or "cap"
    code = "\n".join(draw(_CODE)).strip("\n")
    lines = []
    for key, value in options.items():
        shown = (
            {True: "true", False: "false"}.get(value, value) if isinstance(value, bool) else value
        )
        if key == "tbl-cap":
            shown = '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
        lines.append(f"#| {key}: {shown}")
    fence = "`" * draw(st.integers(3, 4))
    body = "".join(f"{line}\n" for line in lines) + (code + "\n" if code else "")
    return f"{fence}{{python}}\n{body}{fence}\n\n", options, code


@st.composite
def documents(draw):
    parts, cells, exprs = ["# Title\n\n"], [], []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["prose", "fence", "cell"]))
        if kind == "prose":
            text, found = draw(prose())
            parts.append(text)
            exprs += found
        elif kind == "fence":
            parts.append(draw(other_fence()))
        else:
            text, options, code = draw(python_cell())
            parts.append(text)
            cells.append((options, code))
    text = "".join(parts)
    if draw(st.booleans()):
        text = text.rstrip("\n")  # no final newline
    if draw(st.booleans()):
        text = '---\ntitle: "Generated"\n---\n' + text
    return text, cells, exprs


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_round_trip_and_contents(case):
    text, cells, exprs = case
    doc = parse(text)
    assert doc.source() == text
    assert [(c.options, c.code) for c in doc.cells] == cells
    assert [i.expr for i in doc.inlines()] == exprs
    # every block's first line really is where its text starts in the source
    lines = text.splitlines(keepends=True)
    for block in doc.blocks:
        assert "".join(lines[block.line - 1 :]).startswith(block.raw)
