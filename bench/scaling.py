"""How cold-build time grows with the size of a book, and what parallel chapters buy.

For each size, a synthetic book (bench/synthetic_book.py: N chapters, `--figures-per-chapter`
figures each) is written to a temporary folder and built cold once per `--jobs` value. Wall
time, the build's own stage timings and the peak memory of the process tree are recorded;
a least-squares line `time = a + b * chapters` is fitted per jobs value and its R² reported,
so "grows linearly" is a number, not an impression. Speed-up is time(jobs 1) / time(jobs n)
at each size measured with both.

    python -m bench.scaling --sizes 5,10,20,40 --jobs 1,2 --jobs1-max 20
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from bench.measure import machine, run_measured
from bench.run_benchmarks import PYTHON, REPO
from bench.synthetic_book import write_book


@dataclass
class Point:
    chapters: int
    figures: int
    jobs: int
    wall_s: float
    peak_rss_mib: float
    timings_s: dict[str, float]


def cold_build(root: Path, jobs: int) -> tuple[float, float, dict[str, float]]:
    for name in ("_book", "_freeze", ".bookbuild", "figures"):
        shutil.rmtree(root / name, ignore_errors=True)
    result = run_measured(
        [PYTHON, "-m", "bookbuild", "--root", str(root), "build", "--quiet", "--jobs", str(jobs)],
        cwd=REPO,
    )
    if result.returncode != 0:
        raise SystemExit(f"build of {root} failed:\n{result.output_tail}")
    record = json.loads((root / ".bookbuild" / "last-build.json").read_text("utf-8"))
    return result.wall_s, result.peak_rss_bytes / 2**20, record["timings_s"]


def fit(points: list[Point]) -> tuple[float, float, float]:
    """(intercept s, slope s per chapter, R²) of wall time against chapters."""
    x = np.array([p.chapters for p in points], dtype=float)
    y = np.array([p.wall_s for p in points])
    slope, intercept = np.polyfit(x, y, 1)
    residual = y - (intercept + slope * x)
    total = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - float((residual**2).sum()) / total if total > 0 else 1.0
    return float(intercept), float(slope), r2


def markdown(points: list[Point]) -> str:
    lines = [
        "| chapters | figures | jobs | wall (s) | execute (s) | pandoc (s) | html (s) | "
        "pdf (s) | peak memory (MiB) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for p in sorted(points, key=lambda p: (p.jobs, p.chapters)):
        t = p.timings_s
        lines.append(
            f"| {p.chapters} | {p.figures} | {p.jobs} | {p.wall_s:.1f} | "
            f"{t.get('execute', 0):.1f} | {t.get('pandoc', 0):.1f} | "
            f"{t.get('html', 0):.1f} | {t.get('pdf', 0):.1f} | {p.peak_rss_mib:.0f} |"
        )
    lines += ["", "| jobs | fit: seconds = a + b × chapters | R² |", "|---|---|---|"]
    for jobs in sorted({p.jobs for p in points}):
        mine = [p for p in points if p.jobs == jobs]
        if len(mine) >= 2:
            a, b, r2 = fit(mine)
            lines.append(f"| {jobs} | {a:.1f} + {b:.2f} × chapters | {r2:.3f} |")
    by = {(p.chapters, p.jobs): p.wall_s for p in points}
    pairs = [(n, by[(n, 1)] / by[(n, j)], j) for (n, j) in sorted(by) if j > 1 and (n, 1) in by]
    if pairs:
        lines += ["", "| chapters | speed-up jobs 1 → jobs n |", "|---|---|"]
        lines += [f"| {n} | {s:.2f} × (n = {j}) |" for n, s, j in pairs]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5,10,20,40", help="chapter counts")
    parser.add_argument("--figures-per-chapter", type=int, default=5)
    parser.add_argument("--jobs", default="1,2", help="--jobs values to compare")
    parser.add_argument(
        "--jobs1-max",
        type=int,
        default=20,
        help="largest size also built with --jobs 1 (it is the slow one)",
    )
    parser.add_argument("--out", type=Path, default=REPO / "test-artifacts" / "bench")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    jobs_values = [int(j) for j in args.jobs.split(",")]
    points: list[Point] = []
    with tempfile.TemporaryDirectory(prefix="scaling-") as tmp:
        for chapters in sizes:
            figures = chapters * args.figures_per_chapter
            root = write_book(Path(tmp) / f"book-{chapters}", chapters, figures)
            for jobs in jobs_values:
                if jobs == 1 and chapters > args.jobs1_max and len(jobs_values) > 1:
                    continue
                wall, peak, timings = cold_build(root, jobs)
                points.append(Point(chapters, figures, jobs, wall, peak, timings))
                print(
                    f"{chapters} chapters, {figures} figures, jobs {jobs}: {wall:.1f} s, "
                    f"{peak:.0f} MiB",
                    flush=True,
                )
    text = markdown(points)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "scaling.md").write_text(text, "utf-8")
    (args.out / "scaling.json").write_text(
        json.dumps({"machine": machine(), "points": [asdict(p) for p in points]}, indent=1), "utf-8"
    )
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
