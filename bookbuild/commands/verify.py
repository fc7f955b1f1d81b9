"""`thesis verify`: prove the edition comes from the raw data through the code shown.

Three checks, each row of the printed table naming what was checked:
1. every raw data file matches the checksum manifest (`bookbuild: checksums:`, by default
   `data/raw/SHA256SUMS`);
2. every chapter is re-executed from scratch in an isolated cache and output folder;
3. the rebuilt edition is compared with the published one file by file, every figure, table
   and inline value by its provenance record, and every recorded notebook output in
   `_freeze/` with the fresh one.
Any difference makes the command exit non-zero.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from bookbuild.commands.build import build
from bookbuild.commands.progress import Reporter
from bookbuild.config.project import load_book
from bookbuild.source.qmd import read_qmd
from bookbuild.state import freeze, store


@dataclass(frozen=True)
class Row:
    item: str
    status: str  # ok, changed, missing, extra, differs
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def _sha(path: Path) -> str:
    return store.sha256(path.read_bytes())


def check_manifest(root: Path, manifest: Path) -> list[Row]:
    """Each file listed in the manifest, and any raw file the manifest does not list."""
    path = root / manifest
    if not path.exists():
        if path.parent.exists():
            return [Row(str(manifest), "missing", "no checksum manifest for the raw data")]
        return []  # a book without raw data has nothing to check here
    rows, listed = [], set()
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        digest, _, name = line.partition("  ")
        relative = (path.parent / name.strip()).relative_to(root)
        listed.add(relative)
        target = root / relative
        if not target.exists():
            rows.append(Row(str(relative), "missing", f"listed in {manifest}:{number}"))
        elif _sha(target) != digest.strip():
            rows.append(
                Row(
                    str(relative),
                    "changed",
                    f"SHA-256 {_sha(target)[:12]}… but the manifest says {digest.strip()[:12]}…",
                )
            )
        else:
            rows.append(Row(str(relative), "ok", "matches the manifest"))
    for extra in sorted(p for p in path.parent.rglob("*") if p.is_file() and p != path):
        if extra.relative_to(root) not in listed:
            rows.append(Row(str(extra.relative_to(root)), "extra", "not in the manifest"))
    return rows


def compare_editions(published: Path, fresh: Path) -> list[Row]:
    """File-by-file comparison of two edition folders."""
    rows = []
    old = {p.relative_to(published) for p in published.rglob("*") if p.is_file()}
    new = {p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file()}
    for name in sorted(old | new):
        label = f"_book/{name}"
        if name not in new:
            rows.append(Row(label, "extra", "in the edition but not produced by the sources"))
        elif name not in old:
            rows.append(Row(label, "missing", "produced by the sources but not in the edition"))
        elif _sha(published / name) != _sha(fresh / name):
            rows.append(
                Row(
                    label,
                    "differs",
                    f"edition {_sha(published / name)[:12]}…, rebuild {_sha(fresh / name)[:12]}…",
                )
            )
        else:
            rows.append(Row(label, "ok", "identical"))
    return rows


def _items(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {}
    for chapter in manifest.get("chapters", []):
        for item in chapter["items"]:
            key = item.get("label") or f"line {item['line']}: {item['code']}"
            found[f"{item['chapter']} {key}"] = item
    return found


def compare_provenance(published: Path, fresh: Path) -> list[Row]:
    """Every figure, table and inline value: the same data hash and value as the rebuild."""
    try:
        old = _items(json.loads((published / "provenance.json").read_text("utf-8")))
    except (OSError, ValueError):
        return [Row("provenance.json", "missing", "the edition has no readable manifest")]
    new = _items(json.loads((fresh / "provenance.json").read_text("utf-8")))
    rows = []
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key), new.get(key)
        if before is None or after is None:
            rows.append(
                Row(
                    key,
                    "missing" if before is None else "extra",
                    "not produced by the rebuild" if after is None else "not in the edition",
                )
            )
            continue
        fields = [f for f in ("value", "sha256", "data_sha256") if before.get(f) != after.get(f)]
        if not fields:
            rows.append(Row(key, "ok", "same value and data"))
        elif "value" in fields:
            rows.append(
                Row(
                    key,
                    "differs",
                    f"edition shows {before.get('value')!r}, rebuild gives {after.get('value')!r}",
                )
            )
        else:
            rows.append(Row(key, "differs", f"{', '.join(fields)} differ"))
    return rows


def _outputs(nb: nbformat.NotebookNode) -> dict[tuple[str, int], tuple[int, Any]]:
    """(kind, n-th of its kind) -> (source line, outputs). Keyed by position, not line: a
    prose edit moves the lines of a chapter whose cells are reused from `_freeze/` unchanged
    (the cache key holds the code, not where it stands), and that is no difference."""
    found: dict[tuple[str, int], tuple[int, Any]] = {}
    counts = {"cell": 0, "inline": 0}
    for cell in nb.cells:
        meta = cell.metadata.get("bookbuild", {})
        kind = meta.get("kind")
        if kind in counts:
            outputs = [
                {k: v for k, v in o.items() if k != "execution_count"}
                for o in cell.get("outputs", [])
            ]
            found[(kind, counts[kind])] = (meta["line"], outputs)
            counts[kind] += 1
    return found


def compare_notebooks(root: Path, fresh_freeze: Path, chapters: list[Path]) -> list[Row]:
    """Recorded outputs in `_freeze/` against the fresh execution, cell by cell."""
    rows = []
    for chapter in chapters:
        fresh_path = freeze.entry_dir(root, chapter, fresh_freeze) / freeze.NOTEBOOK
        if not fresh_path.exists():
            continue  # prose-only chapter
        recorded_path = freeze.entry_dir(root, chapter) / freeze.NOTEBOOK
        label = str(recorded_path.relative_to(root))
        if not recorded_path.exists():
            rows.append(Row(label, "missing", "no recorded execution"))
            continue
        try:
            recorded = _outputs(nbformat.read(recorded_path, as_version=4))
        except Exception as exc:  # nbformat raises several types for bad JSON
            rows.append(Row(label, "differs", f"unreadable ({exc.__class__.__name__})"))
            continue
        fresh = _outputs(nbformat.read(fresh_path, as_version=4))
        bad = []
        for key in sorted(fresh.keys() | recorded.keys()):
            now, then = fresh.get(key), recorded.get(key)
            if now is None or then is None or now[1] != then[1]:
                line = (now or then or (0, None))[0]
                bad.append(f"{key[0]} at line {line}")
        rows.append(
            Row(
                label,
                "differs" if bad else "ok",
                "outputs differ: " + ", ".join(bad[:5]) if bad else "every output reproduced",
            )
        )
    return rows


def verify(root: Path, jobs: int | None = None, reporter: Reporter | None = None) -> list[Row]:
    """Run every check; the caller prints the rows and fails on any that is not ok."""
    book = load_book(root)
    reporter = reporter or Reporter()
    rows = check_manifest(book.root, book.checksums)
    with tempfile.TemporaryDirectory(prefix="bookbuild-verify-") as tmp:
        scratch = Path(tmp)
        reporter.info("re-executing every chapter from scratch in an isolated cache")
        build(
            book.root,
            jobs=jobs,
            use_cache=False,
            reporter=reporter,
            output=scratch / "_book",
            freeze=scratch / store.FREEZE_DIR,
        )
        published = book.output_dir
        if not published.exists():
            rows.append(Row("_book/", "missing", "no published edition: run `make` first"))
            return rows
        rows += compare_provenance(published, scratch / "_book")
        rows += compare_editions(published, scratch / "_book")
        rows += compare_notebooks(
            book.root,
            scratch / store.FREEZE_DIR,
            [read_qmd(book.root, r.path).path for r in book.chapters],
        )
    return rows


def format_table(rows: list[Row]) -> str:
    width = min(max((len(r.item) for r in rows), default=4), 70)
    lines = [f"{'item':<{width}}  {'status':<8} detail", "-" * (width + 30)]
    lines += [f"{r.item[:width]:<{width}}  {r.status:<8} {r.detail}" for r in rows]
    bad = sum(not r.ok for r in rows)
    lines.append(f"{len(rows) - bad} ok, {bad} not ok")
    return "\n".join(lines)
