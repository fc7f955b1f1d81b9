"""Run a command and measure its wall time and the peak memory of its whole process tree.

Peak memory is sampled every `interval` seconds over the process and all its descendants (the
build's Jupyter kernels and their zygote, Pandoc, nbconvert's kernels) in two ways: the
largest sum of resident set sizes (RSS), which counts a shared page once per process that maps
it, and the largest sum of proportional set sizes (PSS, `/proc/PID/smaps_rollup`), which
divides each shared page among the processes sharing it. Kernels forked from a warm zygote
share its imported libraries, so their RSS sum overstates the memory used several times over;
the PSS sum is the memory the tree really holds (Linux only; 0 elsewhere). `/usr/bin/time -v`
would report only the largest single process, and this machine has cgroup v1 without a
per-job memory.peak, so sampling the tree is the honest measure here. A spike shorter than
the interval can be missed.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil


@dataclass(frozen=True)
class Measurement:
    wall_s: float
    peak_rss_bytes: int
    returncode: int
    output_tail: str
    peak_pss_bytes: int = 0


def _pss(pid: int) -> int:
    """Bytes of `pid`'s proportional set size (0 where `/proc` has no smaps_rollup)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
            for line in rollup:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def tree_memory(proc: psutil.Process) -> tuple[int, int]:
    """Bytes resident (RSS sum) and proportionally held (PSS sum) by `proc` and every
    descendant now; processes that vanish meanwhile count 0."""
    rss = pss = 0
    try:
        members = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0, 0
    for member in members:
        try:
            rss += member.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        pss += _pss(member.pid)
    return rss, pss


def tree_rss(proc: psutil.Process) -> int:
    """Bytes resident in `proc` and every descendant now (processes that vanish count 0)."""
    return tree_memory(proc)[0]


def run_measured(
    cmd: list[str],
    cwd: Path,
    env: dict[str, str] | None = None,
    interval: float = 0.02,
    timeout: float = 3600,
) -> Measurement:
    """Run `cmd` to completion; wall time in seconds, peak tree RSS and PSS in bytes."""
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        watched = psutil.Process(proc.pid)
        peak_rss = peak_pss = 0
        while proc.poll() is None:
            rss, pss = tree_memory(watched)
            peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
            if time.perf_counter() - started > timeout:
                proc.kill()
                raise TimeoutError(f"{' '.join(cmd)} ran longer than {timeout} s")
            time.sleep(interval)
        wall = time.perf_counter() - started
        log.seek(0)
        output = log.read().decode("utf-8", "replace")
    return Measurement(wall, peak_rss, proc.returncode, output[-2000:], peak_pss)


def _command(args: list[str]) -> str:
    if not shutil.which(args[0]) and not Path(args[0]).exists():
        return "unavailable"
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unavailable"


def machine() -> dict[str, str]:
    """What the numbers were measured on: CPU, cores, memory, OS, Python, tools, load."""
    cpu = "unknown"
    for line in _command(["lscpu"]).splitlines():
        if line.startswith("Model name:"):
            cpu = line.split(":", 1)[1].strip()
    os_name = platform.platform()
    release = Path("/etc/os-release")
    if release.exists():
        for line in release.read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"') + f" (kernel {platform.release()})"
    import pypandoc
    import typst

    return {
        "cpu": cpu,
        "cores (nproc)": _command(["nproc"]),
        "memory": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "os": os_name,
        "python": sys.version.split()[0],
        "pandoc": pypandoc.get_pandoc_version(),
        "typst (python package)": getattr(typst, "__version__", "unknown"),
        "load average at start (1, 5, 15 min)": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }
