"""Pandoc's parse of each chapter, kept between builds so an edit re-parses only its chapter.

Parsing the woven markdown of every chapter was most of the "pandoc" stage (14 Pandoc runs
for the thesis) even when one sentence changed. The parse depends only on the text, the
Pandoc version and the markdown extensions, so it is stored under the SHA-256 of those in
`.bookbuild/ast/<hash>.json` (written atomically; an unreadable file is parsed again).
Entries no build used last time are removed by `prune`. Isolated builds (`verify`) do not use
the store: they parse everything themselves.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from bookbuild import pandoc

FOLDER = Path(".bookbuild") / "ast"


def key(text: str) -> str:
    """Hash of what the parse depends on: Pandoc's version, the reader options, the text."""
    parts = f"{pandoc.pandoc_version()}\0{pandoc.MARKDOWN}\0{text}"
    return hashlib.sha256(parts.encode("utf-8")).hexdigest()


def parse(text: str, cwd: Path, what: str, store: Path | None) -> tuple[dict[str, Any], str]:
    """(AST, its key) of `text`; from `store` when it holds it, else from Pandoc."""
    digest = key(text)
    if store is None:
        return pandoc.markdown_to_ast(text, cwd, what), digest
    path = store / f"{digest}.json"
    try:
        return json.loads(path.read_text("utf-8")), digest
    except (OSError, ValueError):
        pass
    raw = pandoc.run(["-f", pandoc.MARKDOWN, "-t", "json"], text, cwd, what)
    ast = json.loads(raw)
    store.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(raw, "utf-8")
    os.replace(tmp, path)
    return ast, digest


def prune(store: Path, keep: set[str]) -> None:
    """Remove entries not in `keep` and temporary files left by killed builds."""
    if not store.is_dir():
        return
    for path in store.iterdir():
        if path.name.startswith(".") or path.stem not in keep:
            path.unlink(missing_ok=True)
