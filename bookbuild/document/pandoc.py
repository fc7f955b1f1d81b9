"""Calls to the Pandoc binary shipped in the `pypandoc-binary` wheel."""

from __future__ import annotations

import json
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

from bookbuild.errors import BuildError

MARKDOWN = "markdown+east_asian_line_breaks+smart-auto_identifiers-implicit_header_references"


@cache
def pandoc_path() -> str:
    try:
        import pypandoc
    except ImportError as exc:  # pragma: no cover - a broken install
        raise BuildError("pypandoc-binary is not installed; run `make` to set up") from exc
    return pypandoc.get_pandoc_path()


@cache
def pandoc_version() -> str:
    out = subprocess.run(
        [pandoc_path(), "--version"], capture_output=True, text=True, check=True
    ).stdout
    return out.splitlines()[0].split()[-1]


def run(args: list[str], text: str, cwd: Path, what: str) -> str:
    """Run pandoc with `text` on stdin; a failure becomes a `BuildError` about `what`."""
    proc = subprocess.run(
        [pandoc_path(), *args],
        input=text,
        capture_output=True,
        text=True,
        cwd=cwd,
        encoding="utf-8",
    )
    if proc.returncode != 0:
        raise BuildError(f"pandoc failed on {what}", detail=proc.stderr)
    return proc.stdout


def markdown_to_ast(text: str, cwd: Path, what: str) -> dict[str, Any]:
    """Parse Pandoc markdown into the JSON AST."""
    return json.loads(run(["-f", MARKDOWN, "-t", "json"], text, cwd, what))


def ast_to(ast: dict[str, Any], fmt: str, cwd: Path, what: str, *extra: str) -> str:
    return run(["-f", "json", "-t", fmt, *extra], json.dumps(ast), cwd, what)


def citeproc(
    ast: dict[str, Any], bibliography: list[Path], csl: Path | None, cwd: Path
) -> tuple[dict[str, Any], str]:
    """Resolve citations and build the bibliography; returns (AST, warnings)."""
    args = [
        "-f",
        "json",
        "-t",
        "json",
        "--citeproc",
        "-M",
        "link-citations=true",
        "-M",
        "link-bibliography=true",
    ]
    for bib in bibliography:
        args += ["--bibliography", str(bib)]
    if csl:
        args += ["--csl", str(csl)]
    proc = subprocess.run(
        [pandoc_path(), *args],
        input=json.dumps(ast),
        capture_output=True,
        text=True,
        cwd=cwd,
        encoding="utf-8",
    )
    if proc.returncode != 0:
        raise BuildError("pandoc --citeproc failed", detail=proc.stderr)
    return json.loads(proc.stdout), proc.stderr
