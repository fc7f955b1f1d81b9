"""Build the thesis and run the fast tests under every supported Python found; compare editions.

    python3 scripts/test_pythons.py [--keep] [--only 3.12,3.13]

For each interpreter (python3.11, python3.12, python3.13 on PATH, and pyenv's versions), a
fresh clone of this repository at HEAD (read once, at the start) in a temporary folder runs
the README's set-up with that interpreter: `make PYTHON=... test-fast` (pinned venv, npm,
build, fast tests). The
editions are then compared file by file with the first one: text files after replacing
each interpreter's version number with a placeholder, the PDF by its text (`pdftotext`),
everything else byte for byte. The report goes to stdout and `test-artifacts/pythons.md`;
the exit status is 1 when a build or a test fails or an edition differs.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUPPORTED = ("3.11", "3.12", "3.13")
TEXT = {".html", ".json", ".js", ".css", ".svg", ".csv", ".txt", ".md", ".xml", ".typ"}
PRINT_VERSION = "import platform; print(platform.python_version())"
SUMMARY = re.compile(r"(\d+ (?:passed|failed)[^\n]*?) in [\d.]+s")


@dataclass
class Run:
    """One interpreter's clone, its timings and its outcome."""

    python: Path
    version: str
    clone: Path
    seconds: float = 0.0
    ok: bool = False
    tests: str = ""
    failure: str = ""
    differs: list[str] = field(default_factory=list)
    rewritten: list[str] = field(default_factory=list)


def version_of(python: Path) -> str | None:
    """`platform.python_version()` of an interpreter, or None when it does not run."""
    try:
        out = subprocess.run(
            [str(python), "-c", PRINT_VERSION],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


def interpreters() -> dict[str, Path]:
    """The newest interpreter found for each supported minor version."""
    candidates = [Path(p) for minor in SUPPORTED if (p := shutil.which(f"python{minor}"))]
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates += sorted(Path(pyenv_root).glob("versions/3.1[1-3].*/bin/python3"))
    found: dict[str, tuple[tuple[int, ...], Path]] = {}
    for python in candidates:
        version = version_of(python)
        if not version or version.rsplit(".", 1)[0] not in SUPPORTED:
            continue
        minor = version.rsplit(".", 1)[0]
        number = tuple(int(x) for x in re.findall(r"\d+", version)[:3])
        if minor not in found or number > found[minor][0]:
            found[minor] = (number, python)
    return {minor: python for minor, (_n, python) in sorted(found.items())}


def run_one(python: Path, version: str, workdir: Path, commit: str) -> Run:
    """Clone `commit`, then `make test-fast` with `python`; a log beside the clone."""
    clone = workdir / f"py{version}"
    result = Run(python, version, clone)
    log = workdir / f"py{version}.log"
    started = time.perf_counter()
    with log.open("w") as handle:
        steps = [
            ["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)],
            ["git", "-C", str(clone), "checkout", "--quiet", commit],
            ["make", "-C", str(clone), f"PYTHON={python}", "test-fast"],
        ]
        for step in steps:
            handle.write(f"$ {' '.join(step)}\n")
            handle.flush()
            proc = subprocess.run(step, stdout=handle, stderr=subprocess.STDOUT, text=True)
            if proc.returncode != 0:
                result.failure = f"`{' '.join(step[:3])}` exited {proc.returncode} (see {log})"
                break
        else:
            result.ok = True
    result.seconds = time.perf_counter() - started
    found = SUMMARY.findall(log.read_text(errors="replace"))
    result.tests = found[-1] if found else "not run"
    return result


def comparable(path: Path, version: str) -> bytes:
    """What must be equal across interpreters: text with the Python version replaced, the
    PDF's text likewise, other files' bytes."""
    if path.suffix == ".pdf":
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        return text.replace(version, "<python>").encode()
    data = path.read_bytes()
    if path.suffix in TEXT:
        return data.replace(version.encode(), b"<python>")
    return data


def compare(base: Run, other: Run) -> None:
    """Fill `other.differs` (files that differ beyond the version) and `other.rewritten`
    (files whose bytes differ only by the recorded version)."""
    ours, theirs = base.clone / "_book", other.clone / "_book"
    names = {p.relative_to(ours) for p in ours.rglob("*") if p.is_file()}
    names |= {p.relative_to(theirs) for p in theirs.rglob("*") if p.is_file()}
    for name in sorted(names):
        a, b = ours / name, theirs / name
        if not a.is_file() or not b.is_file():
            other.differs.append(f"{name} (only in one edition)")
        elif a.read_bytes() == b.read_bytes():
            continue
        elif comparable(a, base.version) == comparable(b, other.version):
            other.rewritten.append(str(name))
        else:
            other.differs.append(str(name))


def digest(folder: Path) -> str:
    """A short hash over an edition's files, for the report."""
    total = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        total.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return total.hexdigest()[:12]


def report(runs: list[Run], head: str) -> str:
    """The result as a markdown table and a line per interpreter's differences."""
    base = runs[0]
    lines = [
        f"Commit {head}; `make test-fast` in a fresh clone per interpreter; editions "
        f"compared with Python {base.version}'s.",
        "",
        "| Python | set-up + build + fast tests | fast tests | edition |",
        "|---|---|---|---|",
    ]
    for run in runs:
        if not run.ok:
            edition = f"not built: {run.failure}"
        elif run is base:
            edition = f"reference ({digest(run.clone / '_book')})"
        elif run.differs:
            edition = f"**differs**: {', '.join(run.differs[:8])}"
        else:
            edition = (
                f"same; {len(run.rewritten)} file(s) differ only by the recorded Python "
                f"version ({', '.join(run.rewritten[:6])})"
            )
        lines.append(
            f"| {run.version} (`{run.python}`) | {run.seconds / 60:.1f} min | "
            f"{run.tests} | {edition} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the clones (printed)")
    parser.add_argument("--only", default="", help="minor versions to test, e.g. 3.12,3.13")
    args = parser.parse_args(argv)
    found = interpreters()
    if args.only:
        found = {m: p for m, p in found.items() if m in args.only.split(",")}
    if not found:
        sys.stderr.write(
            f"test-pythons: no Python {', '.join(SUPPORTED)} found on PATH or in "
            f"pyenv; install one (pyenv install 3.13, uv python install 3.13)\n"
        )
        return 1
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True
    ).stdout.strip()  # one commit for all
    workdir = Path(tempfile.mkdtemp(prefix="test-pythons-"))
    runs = []
    for _minor, python in found.items():
        version = version_of(python) or "?"
        print(f"test-pythons: Python {version} ({python}) in {workdir}/py{version}", flush=True)
        runs.append(run_one(python, version, workdir, head))
    built = [r for r in runs if r.ok]
    for run in built[1:]:
        compare(built[0], run)
    text = report(built + [r for r in runs if not r.ok] if built else runs, head)
    out = ROOT / "test-artifacts" / "pythons.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text, "utf-8")
    print(text, end="")
    if args.keep:
        print(f"clones kept in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if all(r.ok and not r.differs for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
