"""Every page of the HTML editions passes the Nu Html Checker (vnu.jar, the W3C validator).

The checker comes from npm (`vnu-jar`, pinned in package.json) and runs on Java, which `.ci/run`
installs when the machine lacks it. One run checks all pages (the JVM starts once). A page
with a known error shows that the checker does report errors to this test.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def nu_errors(pages: list[Path]) -> list[str]:
    """The checker's errors for `pages`, each as 'file:line: message'."""
    java = shutil.which("java")
    if java is None or not VNU.is_file():
        pytest.fail(
            "the Nu Html Checker needs java and node_modules/vnu-jar (run .ci/run's set-up)"
        )
    run = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, pages)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(run.stderr or run.stdout)["messages"]
    return [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m['message']}"
        for m in messages
        if m.get("type") == "error"
    ]


def test_every_page_of_both_books_is_valid_html(fixture_book: Path, tmp_path: Path) -> None:
    thesis = sorted((ROOT / "_book").glob("*.html"))
    if not thesis:
        pytest.fail("no built edition in _book/: run `make` (or `make test`) first")
    broken = tmp_path / "broken.html"
    broken.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>x</title></head>'
        "<body><p><div>block in a paragraph</div><img src=a.png></body></html>",
        "utf-8",
    )
    errors = nu_errors([*thesis, *sorted((fixture_book / "_book").glob("*.html")), broken])
    assert any(e.startswith("broken.html:") and "alt" in e for e in errors), errors
    assert [e for e in errors if not e.startswith("broken.html:")] == []
