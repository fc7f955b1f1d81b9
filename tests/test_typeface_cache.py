"""The figure font's subsets are kept in matplotlib's cache folder between processes: a kept
subset is the one that would be made, and a damaged file is made again, never used."""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl
import pytest

from analysis import typeface

TEXT = "".join(sorted(set("Poverty headcount 2014–2019 (%)")))


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(mpl, "get_cachedir", lambda: str(tmp_path))
    return tmp_path / "libertinus-subsets"


def test_a_kept_subset_is_the_one_made_and_is_used(cache: Path):
    made = typeface._make_subset(TEXT)
    assert typeface._subset(TEXT) == made
    (kept,) = cache.iterdir()
    assert kept.read_bytes()[64:] == made
    kept.write_bytes(kept.read_bytes()[:64] + made)  # the same file: read, not made
    assert typeface._subset(TEXT) == made
    assert typeface._subset(TEXT + "Z") != made  # other characters, another subset


@pytest.mark.parametrize("damage", [b"", b"0" * 64 + b"wOF2 not the font", b"short"])
def test_a_damaged_kept_subset_is_made_again(cache: Path, damage: bytes):
    made = typeface._subset(TEXT)
    (kept,) = cache.iterdir()
    kept.write_bytes(damage)
    assert typeface._subset(TEXT) == made
    assert kept.read_bytes()[64:] == made  # and put right


def test_an_unwritable_cache_still_gives_the_subset(tmp_path: Path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setattr(mpl, "get_cachedir", lambda: str(blocked))
    assert typeface._subset(TEXT) == typeface._make_subset(TEXT)
