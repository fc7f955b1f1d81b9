"""Absolute project paths, anchored at this file so they work from any working directory.

Only constants: nothing is created, read or logged at import time.
"""

from pathlib import Path

__all__ = [
    "CODEBOOK",
    "DATA",
    "FIGURES",
    "MANIFEST",
    "RAW",
    "RAW_PUBLIC",
    "RAW_SURVEY",
    "ROOT",
    "SIMULATION",
]

ROOT: Path = Path(__file__).resolve().parents[1]
"""Repository root (the folder holding ``pyproject.toml``)."""

DATA: Path = ROOT / "data"
RAW: Path = DATA / "raw"
RAW_PUBLIC: Path = RAW / "public"
RAW_SURVEY: Path = RAW / "survey"
CODEBOOK: Path = DATA / "codebook.yaml"
MANIFEST: Path = RAW / "SHA256SUMS"
SIMULATION: Path = DATA / "simulation"
FIGURES: Path = ROOT / "figures"
