"""The float pages in a real browser (headless Chromium, from file://): axe finds no serious
problem in Quarto's float markup (figures, tables, subfloats, listings, list tables)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_browser import axe_source, axe_violations, browser_binaries, driver  # noqa: F401

pytestmark = pytest.mark.browser
HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("floats-browser") / "book"
    shutil.copytree(
        HERE / "floats-book",
        root,
        ignore=shutil.ignore_patterns("_book", "_freeze", "figures", ".bookbuild"),
    )
    proc = subprocess.run(
        [sys.executable, "-m", "bookbuild", "--root", str(root), "build", "--to", "html"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=HERE.parents[1],
    )
    assert proc.returncode == 0, proc.stderr
    return root / "_book"


@pytest.mark.parametrize("name", ["floats.html", "cells.html", "panels.html"])
def test_float_pages_have_no_serious_accessibility_problems(
    driver,  # noqa: F811
    edition: Path,
    axe_source: str,  # noqa: F811
    name: str,
):
    driver.get((edition / name).as_uri())
    assert axe_violations(driver, axe_source) == []
