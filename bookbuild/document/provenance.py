"""The edition's provenance manifest: what produced every figure, table and inline value."""

from __future__ import annotations

from typing import Any

from bookbuild.config.project import Book

MANIFEST_VERSION = 1


def provenance(
    book: Book, runs: list[Any], woven: list[Any], env: dict[str, Any]
) -> dict[str, Any]:
    """A JSON-ready record: per chapter its inputs (SHA-256) and its produced items."""
    chapters = []
    for run, chapter in zip(runs, woven, strict=True):
        record = run.record or {}
        chapters.append(
            {
                "source": str(run.doc.path),
                "inputs": record.get("reads", {}),
                "input_lines": record.get("lines", {}),
                "modules": record.get("modules", {}),
                "items": [{"chapter": str(run.doc.path), **item} for item in chapter.items],
            }
        )
    return {
        "version": MANIFEST_VERSION,
        "title": book.title,
        "environment": env,
        "chapters": chapters,
    }
