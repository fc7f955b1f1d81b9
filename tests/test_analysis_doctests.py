"""The Examples of every public function of ``analysis/`` run and print what they show.

Each module's docstrings are run with :mod:`doctest` (whitespace normalised, as in
``pyproject.toml``). The slow modules, whose Examples draw figures or fit every model of a
table, are in ``test_analysis_doctests_slow.py``.
"""

from __future__ import annotations

import doctest
import importlib

import pytest

FAST = [
    "agreement",
    "answers",
    "codebook",
    "design",
    "fmt",
    "inference",
    "manifest",
    "parsing",
    "public",
    "questionnaire",
    "resampling",
    "scales",
    "simparams",
    "style",
    "survey",
    "typeface",
    "validation",
]


def run_examples(name: str) -> doctest.TestResults:
    """Run the doctests of ``analysis.<name>``; doctest prints each failing example."""
    module = importlib.import_module(f"analysis.{name}")
    return doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)


@pytest.mark.parametrize("name", FAST)
def test_the_examples_of_each_module_run(name):
    result = run_examples(name)
    assert result.attempted > 0, f"analysis.{name} has no Examples"
    assert result.failed == 0, f"{result.failed} Example(s) of analysis.{name} failed (see output)"
