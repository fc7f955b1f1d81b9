"""Validation tells the truth: custom metadata keys are allowed (and `{{< meta >}}` reads them);
a name that is not a Quarto option, a Quarto option this build does not support and a bad value
get three different messages, each naming the file and line.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from bookbuild_helpers import run

from bookbuild.config.project import load_book
from bookbuild.errors import BuildError
from bookbuild.source.qmd import parse_qmd

CONFIG = """\
project:
  type: book
book:
  title: "Checks"
  chapters:
    - index.qmd
"""
P = Path("c.qmd")


def cell_error(options: str) -> BuildError:
    with pytest.raises(BuildError) as caught:
        parse_qmd(f"# T\n\n```{{python}}\n{options}x = 1\n```\n", P)
    return caught.value


def test_not_a_quarto_option_suggests_the_closest_one() -> None:
    err = cell_error("#| fig-cpa: A figure\n")
    assert (err.path, err.line) == (P, 4)
    assert err.message == "cell option 'fig-cpa' is not a Quarto option (did you mean 'fig-cap'?)"


def test_not_a_quarto_option_without_a_near_name() -> None:
    assert cell_error("#| zzqx: 1\n").message == "cell option 'zzqx' is not a Quarto option"


def test_quarto_option_this_build_does_not_support() -> None:
    err = cell_error("#| label: a\n#| code-overflow: wrap\n")
    assert err.line == 5
    assert err.message == (
        "cell option 'code-overflow' is not supported by this build (it is a "
        "Quarto option; remove it)"
    )


def test_notebook_metadata_options_are_accepted_without_effect() -> None:
    """`#| export:` (nbdev's tag, often without a value) and `#| id:` are Quarto cell options
    that change nothing in the output: accepted, the cell's code kept as written."""
    doc = parse_qmd("# T\n\n```{python}\n#| export:\n#| id: setup\nx = 1\n```\n", P)
    cell = next(b for b in doc.blocks if hasattr(b, "options"))
    assert cell.options == {"export": None, "id": "setup"}
    assert cell.code.strip() == "x = 1"
    assert cell_error("#| id: [a, b]\n").message == (
        "cell option 'id' must be one of: text; got ['a', 'b']"
    )


def test_bad_value_lists_the_allowed_ones() -> None:
    assert cell_error("#| echo: maybe\n").message == (
        "cell option 'echo' must be one of: true, false, fenced; got 'maybe'"
    )
    assert cell_error("#| output: markup\n").message == (
        "cell option 'output' must be one of: true, false, asis; got 'markup'"
    )


def test_execute_options_get_the_same_three_messages(tmp_path: Path) -> None:
    (tmp_path / "index.qmd").write_text("# P\n")
    cases = {
        "  cache: true\n": "_quarto.yml:8: execute option 'cache' is not supported by "
        "this build (it is a Quarto option; remove it)",
        "  ecko: false\n": "_quarto.yml:8: execute option 'ecko' is not a Quarto option "
        "(did you mean 'echo'?)",
        "  echo: sometimes\n": "_quarto.yml:8: execute option 'echo' must be true or "
        "false or fenced, got 'sometimes'",
    }
    for line, message in cases.items():
        (tmp_path / "_quarto.yml").write_text(CONFIG + "execute:\n" + line)
        with pytest.raises(BuildError) as caught:
            load_book(tmp_path)
        assert str(caught.value).endswith(message)


def test_misspelt_book_option_suggests_the_right_one(tmp_path: Path) -> None:
    (tmp_path / "index.qmd").write_text("# P\n")
    (tmp_path / "_quarto.yml").write_text(
        CONFIG.replace('  title: "Checks"', '  title: "Checks"\n  apendices: []')
    )
    with pytest.raises(
        BuildError,
        match=r"unknown book option 'apendices' \(not a Quarto "
        r"option\) \(did you mean 'appendices'\?\)",
    ):
        load_book(tmp_path)


def test_website_options_a_book_inherits_are_quarto_options(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Quarto's book schema takes every base-website key (site-url, favicon, navbar, ...):
    those this build does not render are ignored with a warning, not refused as 'not a
    Quarto option'."""
    (tmp_path / "index.qmd").write_text("# P\n")
    (tmp_path / "_quarto.yml").write_text(
        CONFIG.replace('  title: "Checks"', '  title: "Checks"\n  favicon: icon.png')
    )
    with caplog.at_level(logging.WARNING, logger="bookbuild"):
        load_book(tmp_path)
    assert "book option 'favicon' is ignored by this build" in caplog.text


def test_custom_keys_are_metadata_near_misses_are_warned(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "_quarto.yml").write_text(
        CONFIG + "university: Henan University\nbibliograpy: refs.bib\n"
    )
    (tmp_path / "index.qmd").write_text(
        "---\nsupervisor:\n  name: Prof. Li\n---\n\n"
        "# Preface {.unnumbered}\n\n"
        "At {{< meta university >}}, supervised by "
        "{{< meta supervisor.name >}}.\n"
    )
    with caplog.at_level(logging.WARNING, logger="bookbuild"):
        result = run(tmp_path, "build", "--to", "html")
    assert result.code == 0, result.err
    html = (tmp_path / "_book" / "index.html").read_text("utf-8")
    # smart punctuation (Pandoc's, as Quarto's) binds an abbreviation to the next word
    assert "At Henan University, supervised by Prof.\u00a0Li." in html
    warnings = [r.getMessage() for r in caplog.records]
    assert any(
        "'bibliograpy' in _quarto.yml is not a Quarto option; kept as custom metadata "
        "(did you mean 'bibliography'?)" in w
        for w in warnings
    ), warnings
    assert not any("university" in w or "supervisor" in w for w in warnings), warnings


def test_a_chapter_naming_formats_is_quiet_its_format_options_are_warned_at_their_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    quiet = "---\nformat: html\n---\n\n# T\n"
    with caplog.at_level(logging.WARNING, logger="bookbuild"):
        parse_qmd(quiet, P)
        assert caplog.text == ""
        parse_qmd("---\nformat:\n  html:\n    code-fold: true\n  latex: default\n---\n\n# T\n", P)
    assert caplog.text.count("is ignored") == 1
    assert (
        "c.qmd:4: front matter option 'format: html: code-fold' is ignored by this build "
        "(format options apply to the whole book: set it in _quarto.yml)" in caplog.text
    )


@pytest.mark.parametrize("key", ["bibliography", "csl"])
def test_a_bibliography_or_style_at_a_url_is_refused_as_a_url(tmp_path: Path, key: str) -> None:
    (tmp_path / "index.qmd").write_text("# P\n")
    url = "https://example.org/refs.bib"
    (tmp_path / "_quarto.yml").write_text(CONFIG + f"{key}: {url}\n")
    with pytest.raises(BuildError) as caught:
        load_book(tmp_path)
    assert caught.value.line == 7
    assert caught.value.message == (
        f"{key}: '{url}' is a URL; this build reads local files only: download it into the "
        "project and name its path"
    )


def test_a_cell_indented_into_a_list_is_refused_not_shown_as_code() -> None:
    text = "# T\n\n-   A point\n\n    ```{python}\n    x = 1\n    ```\n"
    with pytest.raises(BuildError) as caught:
        parse_qmd(text, P)
    assert (caught.value.path, caught.value.line) == (P, 5)
    assert "cell indented into a list or block" in caught.value.message
    parse_qmd(text.replace("{python}", "python"), P)  # plain code in a list is fine


def test_a_reference_to_content_one_edition_hides_says_so(tmp_path: Path) -> None:
    (tmp_path / "_quarto.yml").write_text(CONFIG)
    (tmp_path / "index.qmd").write_text(
        '# P\n\nSee @tbl-kinds.\n\n::: {#tbl-kinds .content-visible unless-format="html"}\n\n'
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n: Kinds\n\n:::\n"
    )
    result = run(tmp_path, "build", "--to", "html")
    assert result.code == 1
    assert (
        "error: index.qmd:3: cross-reference '@tbl-kinds' names content the HTML edition does "
        "not show (.content-visible/.content-hidden)" in result.err
    )


def test_a_caption_list_is_named_a_quarto_form_not_supported_not_a_bad_value() -> None:
    err = cell_error('#| fig-cap:\n#|   - "One"\n#|   - "Two"\n')
    assert err.line == 4
    assert err.message.startswith(
        "cell option 'fig-cap' as a list (one caption per output) is a Quarto form this build "
        "does not support"
    )
