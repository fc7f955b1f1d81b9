"""Seeded simulation of a second, independent coding of a subsample of the interviews.

The thesis reports inter-coder agreement (Cohen's kappa) for the interview coding matrix. The
original interview notes are confidential, so, like the first coding, the second coding in this
edition is SIMULATED: for a stratified subsample of interviews a second coder's 0/1 code for
each theme is the first coder's code, flipped with a fixed probability. The agreement the
thesis computes is therefore set by ``P_DISAGREE`` below; it demonstrates the calculation and
how it is reported, not the reliability of the original study's coding.

What it writes (default ``data/raw/survey/interviews_second_coding.csv``): the coding matrix
of ``SUBSAMPLE_PER_ROLE`` interviews of each role, in the layout, header and encoding of
``interviews.csv`` (so the same loader reads it), CRLF line ends. Reruns are byte-identical.

Run from the repository root::

    python -m data.simulation.simulate_second_coding [--out FILE] [--seed N]

After writing, update the checksum manifest (``python -m analysis.manifest --update``).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from data.simulation import simulate_survey as sim

__all__ = ["P_DISAGREE", "SEED", "SUBSAMPLE_PER_ROLE", "second_coding", "write"]

SEED = 20190830
"""Seed of the second coding (the day after fieldwork ended, 30 August 2019, as a number);
independent of the survey's master seed so that the first coding is left untouched."""
SUBSAMPLE_PER_ROLE = 4  # interviews re-coded per role: 12 of 30, stratified so that every
#                         role is represented (a subsample of about 40 % is common practice)
P_DISAGREE = 0.08  # probability that the second coder codes a theme differently from the
#                    first: an assumption, chosen to give agreement in the range usually
#                    reported as substantial; kappa in the thesis follows from this value
DEFAULT_OUT = sim.DEFAULT_OUT / "interviews_second_coding.csv"


def second_coding(seed: int = SEED) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the simulated second coding (subsample, interview order)."""
    first = sim.simulate()["interviews"]
    header, rows = first["header"], first["rows"]
    rng = np.random.default_rng(seed)
    chosen: list[int] = []
    start = 0
    for _prefix, _role, count in sim.INTERVIEW_GROUPS:
        picks = rng.choice(np.arange(start, start + count), SUBSAMPLE_PER_ROLE, replace=False)
        chosen += sorted(int(i) for i in picks)
        start += count
    out = []
    for i in chosen:
        row = list(rows[i])
        for j in range(2, len(row)):
            if rng.random() < P_DISAGREE:
                row[j] = "0" if row[j] == "1" else "1"
        out.append(row)
    return header, out


def write(out: Path = DEFAULT_OUT, seed: int = SEED) -> Path:
    """Write the second coding as UTF-8 CSV (the interviews export's encoding)."""
    header, rows = second_coding(seed)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(sim.render_csv(header, rows).encode(sim.OUTPUT_ENCODINGS["interviews"]))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="Write the SIMULATED second interview coding.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output file")
    parser.add_argument("--seed", type=int, default=SEED, help="seed (default %(default)s)")
    args = parser.parse_args(argv)
    print(write(args.out, args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
