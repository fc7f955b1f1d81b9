"""`make bench`: time the build of the thesis in every scenario of the benchmark, side by side.

The project is copied to a temporary folder (sources only: no `_book/`, `_freeze/`, `.venv/`)
so the working tree is never touched; every edit is made there, programmatically. Each
scenario runs `--repeat` times (default 5) and reports the median and range of wall time, the
peak memory of the whole process tree (see bench/measure.py) and the kernels started
(`.bookbuild/last-build.json`). In the same run, interleaved with the cold builds, the naive
baseline (bench/naive_baseline.py) builds the same book. Results go to `--out` as JSON and as
markdown tables ready for docs/benchmarks.md.

Scenarios: cold (cache and edition deleted), no-op rebuild, prose-only edit (a sentence
appended to a chapter with code), one-cell code edit (a literal changed in one cell), one raw
data file changed (a blank line appended, manifest updated with `python -m analysis.manifest
--update`), one analysis function changed (a comment line added to its body); then cold
builds and the baseline again with one core kept busy (`loaded`), prose saves in `thesis
preview` (`preview-prose`, bench/preview_reload.py) and the one-cell edit in
`thesis preview` (`preview-cell`, bench/preview_cell.py). `--only` picks groups.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.measure import Measurement, machine, run_measured

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
COPY_IGNORE = (
    ".venv",
    "_book",
    "_freeze",
    ".bookbuild",
    "_naive",
    "__pycache__",
    ".git",
    "node_modules",
    "test-artifacts",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    "*.egg-info",
    "._book.*",
    ".naive-*",
)

BENCH_LITERAL = "_bench_literal = "


@dataclass(frozen=True)
class Touch:
    """What each edit scenario touches (paths relative to the project root)."""

    prose: str = "chapters/05-findings.qmd"
    code: str = "chapters/03-lankao.qmd"
    raw: str = "data/raw/public/lankao_indicators.csv"
    module: str = "analysis/inference.py"


@dataclass
class Run:
    wall_s: float
    peak_rss_mib: float
    kernels: int
    executed: list[str]
    rendered: dict[str, list[str]] = field(default_factory=dict)  # converted anew, by format
    peak_pss_mib: float = 0.0  # shared pages divided among their processes (`bench.measure`)


@dataclass
class Scenario:
    name: str
    description: str
    runs: list[Run] = field(default_factory=list)

    def walls(self) -> list[float]:
        return [r.wall_s for r in self.runs]

    def median(self) -> float:
        return statistics.median(self.walls())


def copy_project(source: Path, target: Path) -> Path:
    """Copy the project's sources; installed npm packages are linked, not copied."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(*COPY_IGNORE), symlinks=True)
    if (source / "node_modules").is_dir():
        (target / "node_modules").symlink_to(source / "node_modules")
    return target


def build_cmd(root: Path, jobs: int | None) -> list[str]:
    cmd = [PYTHON, "-m", "bookbuild", "--root", str(root), "build", "--quiet"]
    return cmd + (["--jobs", str(jobs)] if jobs else [])


def run_build(root: Path, jobs: int | None) -> Run:
    """One build of `root`, measured; fails loudly when the build fails."""
    result = run_measured(build_cmd(root, jobs), cwd=root)
    _check(result, "build")
    record = json.loads((root / ".bookbuild" / "last-build.json").read_text("utf-8"))
    return Run(
        result.wall_s,
        result.peak_rss_bytes / 2**20,
        record["kernels_started"],
        sorted(record["executed"]),
        record.get("rendered_chapters", {}),
        result.peak_pss_bytes / 2**20,
    )


def run_baseline(root: Path) -> Run:
    """One naive build of `root`: every chapter's notebook executed, one kernel each."""
    from bench.naive_baseline import chapter_paths

    result = run_measured([PYTHON, "-m", "bench.naive_baseline", "--root", str(root)], cwd=REPO)
    _check(result, "naive baseline")
    chapters = [str(p) for p in chapter_paths(root)]
    return Run(
        result.wall_s,
        result.peak_rss_bytes / 2**20,
        len(chapters),
        chapters,
        peak_pss_mib=result.peak_pss_bytes / 2**20,
    )


def _check(result: Measurement, what: str) -> None:
    if result.returncode != 0:
        raise SystemExit(f"{what} failed (exit {result.returncode}):\n{result.output_tail}")


def make_cold(root: Path) -> None:
    for name in ("_book", "_freeze", ".bookbuild"):
        shutil.rmtree(root / name, ignore_errors=True)
    for path in (root / "figures").glob("*"):
        if path.is_file():
            path.unlink()


def edit_prose(root: Path, rep: int, touch: Touch) -> None:
    """Append one sentence to a chapter that has code: nothing to execute."""
    path = root / touch.prose
    path.write_text(
        path.read_text("utf-8").rstrip("\n")
        + f"\n\nA sentence appended by the benchmark, edit {rep}.\n",
        "utf-8",
    )


def edit_code_cell(root: Path, rep: int, touch: Touch) -> None:
    """Change a literal in the first executed code cell of one chapter."""
    path = root / touch.code
    text = path.read_text("utf-8")
    if BENCH_LITERAL in text:
        text = re.sub(re.escape(BENCH_LITERAL) + r"\d+", f"{BENCH_LITERAL}{rep}", text, count=1)
    else:
        match = next(
            (
                m
                for m in re.finditer(r"^```\{python\}[^\n]*\n((?:#\|[^\n]*\n)*)", text, re.M)
                if not re.search(r"#\|\s*eval:\s*false", m[1])
            ),
            None,
        )
        if match is None:
            raise SystemExit(f"{touch.code} has no code cell to edit")
        text = text[: match.end()] + f"{BENCH_LITERAL}{rep}\n" + text[match.end() :]
    path.write_text(text, "utf-8")


def edit_raw_data(root: Path, rep: int, touch: Touch) -> None:
    """Append a blank line to one raw file (no data change) and update the manifest."""
    path = root / touch.raw
    ending = b"\r\n" if b"\r\n" in path.read_bytes() else b"\n"
    with path.open("ab") as handle:
        handle.write(ending)
    if (root / "analysis" / "manifest.py").exists():
        subprocess.run(
            [PYTHON, "-m", "analysis.manifest", "--update"],
            cwd=root,
            check=True,
            capture_output=True,
        )


def edit_function(root: Path, rep: int, touch: Touch) -> None:
    """Add a comment line to the body of the first function of one analysis module."""
    path = root / touch.module
    lines = path.read_text("utf-8").splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.startswith("def "):
            end = index
            while not lines[end].rstrip().endswith(":"):
                end += 1
            body = lines[end + 1]
            indent = body[: len(body) - len(body.lstrip())] or "    "
            lines.insert(end + 1, f"{indent}# benchmark edit {rep}\n")
            path.write_text("".join(lines), "utf-8")
            return
    raise SystemExit(f"{touch.module} has no top-level function")


def edits(touch: Touch) -> dict[str, tuple[str, Callable[[Path, int, Touch], None]]]:
    """Scenario name -> (description, edit made before each run)."""
    return {
        "noop": ("no-op rebuild (nothing changed)", lambda root, rep, touch: None),
        "prose": (f"prose-only edit: a sentence appended to {touch.prose}", edit_prose),
        "code": (
            f"one code cell edited: a literal in the first cell of {touch.code}",
            edit_code_cell,
        ),
        "data": (f"one raw data file changed: {touch.raw} (+ manifest update)", edit_raw_data),
        "function": (
            f"one analysis function changed: a comment line in {touch.module}",
            edit_function,
        ),
    }


def benchmark(
    root: Path,
    repeat: int,
    jobs: int | None,
    baseline: bool,
    touch: Touch,
    log: Callable[[str], None],
    with_edits: bool = True,
) -> list[Scenario]:
    cold = Scenario("cold", "cold build: _freeze/, _book/ and build state deleted")
    naive = Scenario("naive", "naive baseline: nbconvert --execute every chapter, then Pandoc")
    for rep in range(repeat):  # interleaved, so a change in machine load hits both alike
        make_cold(root)
        cold.runs.append(run_build(root, jobs))
        log(f"cold {rep + 1}/{repeat}: {cold.runs[-1].wall_s:.1f} s")
        if baseline:
            naive.runs.append(run_baseline(root))
            log(f"naive {rep + 1}/{repeat}: {naive.runs[-1].wall_s:.1f} s")
    shutil.rmtree(root / "_naive", ignore_errors=True)
    scenarios = [cold] + ([naive] if baseline else [])
    for name, (description, edit) in edits(touch).items() if with_edits else ():
        scenario = Scenario(name, description)
        for rep in range(repeat):
            edit(root, rep, touch)
            scenario.runs.append(run_build(root, jobs))
            run = scenario.runs[-1]
            log(
                f"{name} {rep + 1}/{repeat}: {run.wall_s:.1f} s, {run.kernels} kernel(s): "
                f"{', '.join(run.executed) or 'nothing executed'}"
            )
        scenarios.append(scenario)
    return scenarios


def preview_scenarios(root: Path, repeat: int, touch: Touch) -> list[Scenario]:
    """`thesis preview` on the benchmark's project (its cache built by the scenarios before):
    prose saves timed to the page reloaded and to the PDF updated (bench/preview_reload.py)."""
    from bench.preview_reload import measure

    results = measure(root, repeat, touch)
    named = {
        "save_to_reloaded_s": f"preview: prose save → page reloaded ({touch.prose})",
        "save_to_pdf_s": "preview: prose save → PDF updated",
    }
    return [
        Scenario(f"preview-{key}", text, [Run(s, 0.0, 0, []) for s in results[key]])
        for key, text in named.items()
    ]


def cold_loaded(
    root: Path, repeat: int, jobs: int | None, baseline: bool, log: Callable[[str], None]
) -> list[Scenario]:
    """Cold builds interleaved with the naive baseline while a CPU-bound job (`while 1:
    pass`) keeps one core busy: the build's parallel kernels lose a core, as on a busy
    machine."""
    cold = Scenario("cold-loaded", "cold build, one core kept busy by a CPU-bound job")
    naive = Scenario("naive-loaded", "naive baseline, one core kept busy by a CPU-bound job")
    burner = subprocess.Popen([PYTHON, "-c", "while 1: pass"])
    try:
        for rep in range(repeat):
            make_cold(root)
            cold.runs.append(run_build(root, jobs))
            log(f"cold, loaded {rep + 1}/{repeat}: {cold.runs[-1].wall_s:.1f} s")
            if baseline:
                naive.runs.append(run_baseline(root))
                log(f"naive, loaded {rep + 1}/{repeat}: {naive.runs[-1].wall_s:.1f} s")
    finally:
        burner.kill()
        burner.wait()
    shutil.rmtree(root / "_naive", ignore_errors=True)
    return [cold] + ([naive] if baseline else [])


def preview_cell_edit(source: Path, repeat: int, log: Callable[[str], None]) -> Scenario:
    """`bench/preview_cell.py`: in a running `thesis preview`, a one-cell edit of
    03-lankao timed from the save to the page showing its new output (memory not measured)."""
    from bench import preview_cell

    chapter = Touch().code
    results = preview_cell.run(source, repeat, chapter)
    scenario = Scenario(
        "preview-cell",
        f"preview: one-cell edit of {chapter} → new output shown (memory not measured)",
    )
    for wall in results["save_to_output_shown_s"]:
        scenario.runs.append(Run(wall, 0.0, 1, [chapter]))
        log(f"preview cell edit {len(scenario.runs)}/{repeat}: {wall:.2f} s")
    return scenario


def loaded_lines(scenarios: list[Scenario]) -> list[str]:
    """Cold / naive ratios idle and loaded, with the paired ratios of each interleaved run."""
    by = {s.name: s for s in scenarios}
    lines = []
    for cold, naive, label in (
        ("cold", "naive", "idle"),
        ("cold-loaded", "naive-loaded", "loaded"),
    ):
        if cold in by and naive in by:
            pairs = [c / n for c, n in zip(by[cold].walls(), by[naive].walls(), strict=False)]
            lines.append(
                f"- cold / naive, {label}: {by[cold].median() / by[naive].median():.2f} × "
                f"(medians; paired runs {', '.join(f'{p:.2f}' for p in pairs)})"
            )
    return lines


def _fmt_range(values: list[float]) -> str:
    return f"{min(values):.1f}–{max(values):.1f}"


def markdown(scenarios: list[Scenario], info: dict[str, str]) -> str:
    """The results as markdown: machine, one row per scenario, ratios, what executed."""
    by_name = {s.name: s for s in scenarios}
    cold = by_name["cold"].median()
    naive = by_name["naive"].median() if "naive" in by_name else None
    lines = ["| | |", "|---|---|", *[f"| {k} | {v} |" for k, v in info.items()], ""]
    lines += [
        "| scenario | runs | median (s) | min–max (s) | peak RSS sum, median (MiB) | "
        "peak RSS sum, max (MiB) | peak PSS sum, median (MiB) | kernels started | / cold "
        "| / naive |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in scenarios:
        rss = [r.peak_rss_mib for r in s.runs]
        pss = [r.peak_pss_mib for r in s.runs]
        kernels = sorted({r.kernels for r in s.runs})
        ratio_naive = f"{s.median() / naive:.2f}" if naive else "–"
        lines.append(
            f"| {s.description} | {len(s.runs)} | {s.median():.1f} | "
            f"{_fmt_range(s.walls())} | {statistics.median(rss):.0f} | {max(rss):.0f} "
            f"| {statistics.median(pss):.0f} | {'/'.join(map(str, kernels))} | "
            f"{s.median() / cold:.3f} | {ratio_naive} |"
        )
    lines += [
        "",
        "Chapters executed, and chapters rendered anew by format, per scenario (last run):",
        "",
    ]
    for s in scenarios:
        if s.name != "naive":
            last = s.runs[-1]
            rendered = "; ".join(f"{kind} {len(names)}" for kind, names in last.rendered.items())
            lines.append(
                f"- {s.name}: executed {', '.join(last.executed) or 'none'}; "
                f"rendered {rendered or 'nothing'}"
            )
    return "\n".join(lines) + "\n"


def targets(scenarios: list[Scenario], touch: Touch) -> list[str]:
    """The issue's targets, each marked met or missed."""
    by = {s.name: s for s in scenarios}
    cold = by["cold"].median()
    # the memory the build's process tree holds: PSS where /proc gives it, else RSS (an upper
    # bound, which counts the warm zygote's shared pages once per forked kernel)
    peak = max(
        r.peak_pss_mib or r.peak_rss_mib for s in scenarios if s.name != "naive" for r in s.runs
    )
    code_runs = by["code"].runs
    checks = [
        (
            "no-op rebuild ≤ 5 % of cold",
            by["noop"].median() / cold <= 0.05,
            f"{100 * by['noop'].median() / cold:.1f} %",
        ),
        (
            "prose-only edit ≤ 15 % of cold",
            by["prose"].median() / cold <= 0.15,
            f"{100 * by['prose'].median() / cold:.1f} %",
        ),
        (
            "prose-only edit starts no kernel",
            all(r.kernels == 0 for r in by["prose"].runs),
            f"kernels {sorted({r.kernels for r in by['prose'].runs})}",
        ),
        (
            "one-cell edit executes only its chapter",
            all(r.executed == [touch.code] for r in code_runs),
            f"executed {sorted({tuple(r.executed) for r in code_runs})}",
        ),
        ("build peak memory (PSS) ≤ 1.5 GiB", peak <= 1.5 * 1024, f"{peak:.0f} MiB"),
    ]
    if "naive" in by:
        ratio = cold / by["naive"].median()
        checks.append(("cold build ≤ 0.8 × naive baseline", ratio <= 0.8, f"{ratio:.2f} ×"))
    return [
        f"- [{'x' if ok else ' '}] {name}: {value} ({'met' if ok else 'MISSED'})"
        for name, ok, value in checks
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=REPO, help="project to benchmark (copied)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per scenario (≥ 5)")
    parser.add_argument("--jobs", type=int, default=None, help="build --jobs (default: cores)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the naive baseline")
    for name, default in asdict(Touch()).items():
        parser.add_argument(f"--{name}", default=default, help=f"file the {name} edit touches")
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO / "test-artifacts" / "bench",
        help="folder for results.json and results.md",
    )
    parser.add_argument(
        "--only",
        default="cold,edits,preview-prose,loaded,preview-cell",
        help="scenario groups to run, comma-separated (cold always runs)",
    )
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    info = machine()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        root = copy_project(args.root.resolve(), Path(tmp) / "project")
        touch = Touch(args.prose, args.code, args.raw, args.module)
        scenarios = benchmark(
            root,
            args.repeat,
            args.jobs,
            not args.no_baseline,
            touch,
            lambda line: print(line, flush=True),
            with_edits="edits" in only,
        )
        if "preview-prose" in only:
            scenarios += preview_scenarios(root, args.repeat, touch)
        if "loaded" in only:
            scenarios += cold_loaded(
                root, args.repeat, args.jobs, not args.no_baseline, lambda x: print(x, flush=True)
            )
        if "preview-cell" in only:
            scenarios.append(
                preview_cell_edit(args.root.resolve(), args.repeat, lambda x: print(x, flush=True))
            )
    info = {
        "run": started,
        **info,
        "load average at end (1, 5, 15 min)": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }
    text = markdown(scenarios, info) + "\n" + "\n".join(loaded_lines(scenarios)) + "\n"
    if "edits" in only:
        text += "\nTargets:\n\n" + "\n".join(targets(scenarios, touch))
    text += "\n"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.md").write_text(text, "utf-8")
    (args.out / "results.json").write_text(
        json.dumps({"machine": info, "scenarios": [asdict(s) for s in scenarios]}, indent=1),
        "utf-8",
    )
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
