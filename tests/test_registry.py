"""The option registry: the checks read it, it agrees with Quarto's schema, and
`docs/quarto-support.md` is generated from it (stale is a failure naming the command)."""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

import pytest

from bookbuild.config import project, registry
from bookbuild.config.project import quarto_schema
from bookbuild.errors import BuildError
from bookbuild.source import qmd
from bookbuild.source.qmd import parse_qmd

REPO = Path(__file__).resolve().parents[1]


def _generator():
    spec = importlib.util.spec_from_file_location(
        "quarto_support", REPO / "scripts" / "quarto_support.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_support_document_is_current():
    generator = _generator()
    written = (REPO / "docs" / "quarto-support.md").read_text("utf-8")
    assert written == generator.render(), (
        f"docs/quarto-support.md is stale: run `{generator.COMMAND}`"
    )


def test_every_status_and_level_is_known():
    for option in registry.OPTIONS:
        assert option.status in registry.STATUSES, option
        assert option.levels and set(option.levels) <= set(registry.LEVELS), option
        if option.status != registry.SUPPORTED:
            assert option.note, f"{option.name}: a {option.status} option says how"
    names = [(o.name, level) for o in registry.OPTIONS for level in o.levels]
    assert len(names) == len(set(names)), "an option is listed twice at one level"


def test_registered_quarto_options_are_quartos():
    """Every cell, execute, project and book option in the registry is one Quarto's schema
    names at that level (the build's own `bookbuild:`/`house-rules:` are not Quarto's)."""
    schema = quarto_schema()
    for level, key in (
        (registry.CELL, "cell_options"),
        (registry.PROJECT, "project_keys"),
        (registry.BOOK, "book_keys"),
    ):
        stray = set(registry.at(level)) - set(schema[key])
        assert not stray, f"{level}: {stray} not in Quarto's schema"
    execute = set(registry.at(registry.EXECUTE)) - {"freeze"}
    assert execute <= set(schema["cell_options"])
    assert not set(registry.at(registry.BUILD)) & set(schema["document_options"])


def test_checks_read_the_registry():
    assert {
        o.name: o.types for o in registry.OPTIONS if registry.CELL in o.levels
    } == qmd.CELL_OPTIONS
    assert {
        "echo",
        "eval",
        "warning",
        "include",
        "output",
        "freeze",
        "error",
    } == project._HONOURED_EXECUTE
    assert {"title", "chapters", "appendices", "author"} <= project._HONOURED_BOOK
    assert project.HOUSE_RULES["figures-labelled"].startswith("every figure cell needs")
    assert project.DEFAULT_CELL_TIMEOUT_S == 600


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("fig-format", "png", None),
        ("fig-format", "jpeg", "must be one of: svg, png; got 'jpeg'"),
        ("echo", "fenced", None),
        ("echo", "folded", "must be one of: true, false, fenced; got 'folded'"),
        ("code-fold", "show", None),
        ("code-fold", 3, "must be one of: true, false, show; got 3"),
    ],
)
def test_cell_values_follow_the_registry(option, value, message):
    text = f"```{{python}}\n#| {option}: {value!r}\nx = 1\n```\n".replace("'", '"')
    if message is None:
        doc = parse_qmd(text, Path("c.qmd"))
        assert doc.cells[0].options[option] == value
    else:
        with pytest.raises(BuildError) as caught:
            parse_qmd(text, Path("c.qmd"))
        assert message in str(caught.value) and caught.value.line == 2


def test_an_unlisted_quarto_cell_option_is_refused_as_unsupported():
    name = next(
        n for n in sorted(quarto_schema()["cell_options"]) if n not in registry.at(registry.CELL)
    )
    assert (
        registry.status_of(name, registry.CELL, set(quarto_schema()["cell_options"]))
        == registry.REFUSED
    )
    with pytest.raises(BuildError, match=f"cell option '{name}' is not supported by this build"):
        parse_qmd(f"```{{python}}\n#| {name}: true\nx = 1\n```\n", Path("c.qmd"))


def test_ignored_project_key_is_a_warning(tmp_path, caplog):
    ignored = sorted(set(quarto_schema()["project_keys"]) - set(registry.at(registry.PROJECT)))
    assert ignored, "the schema has project keys this build does not interpret"
    (tmp_path / "index.qmd").write_text("# Hi\n", "utf-8")
    (tmp_path / "_quarto.yml").write_text(
        f"project:\n  type: book\n  {ignored[0]}: x\nbook:\n  title: T\n  chapters:\n"
        "    - index.qmd\n",
        "utf-8",
    )
    with caplog.at_level(logging.WARNING, logger="bookbuild"):
        project.load_book(tmp_path)
    assert f"project option '{ignored[0]}' is ignored" in caplog.text
    assert (
        registry.status_of(ignored[0], registry.PROJECT, set(quarto_schema()["project_keys"]))
        == registry.IGNORED
    )


def test_support_document_lists_every_option_and_kind():
    text = _generator().render()
    for option in registry.OPTIONS:
        assert f"| `{option.name}` |" in text
    assert "| `thm` | Theorem | theorem |" in text
    assert "| `fig-format` | — | svg, png | svg | supported with a difference |" in text
