"""The Examples of the figure and table modules of ``analysis/`` run (about a minute)."""

from __future__ import annotations

import pytest
from test_analysis_doctests import run_examples

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", ["figures", "tables", "design_tables"])
def test_the_examples_of_each_slow_module_run(name):
    result = run_examples(name)
    assert result.attempted > 0, f"analysis.{name} has no Examples"
    assert result.failed == 0, f"{result.failed} Example(s) of analysis.{name} failed (see output)"


def test_every_module_of_the_package_is_run():
    from test_analysis_doctests import FAST

    from analysis import paths

    modules = {p.stem for p in (paths.ROOT / "analysis").glob("*.py")} - {"__init__", "paths"}
    assert modules == set(FAST) | {"figures", "tables", "design_tables"}
