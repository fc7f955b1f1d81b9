"""The simulation reproduces the committed exports, and the raw files match the manifest."""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from analysis import manifest, survey
from analysis.paths import MANIFEST, RAW, RAW_SURVEY, ROOT, SIMULATION

SURVEY_FILES = ("households.csv", "staff.csv", "interviews.csv")


def _load_simulation() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "simulate_survey", SIMULATION / "simulate_survey.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def sim() -> ModuleType:
    return _load_simulation()


@pytest.mark.parametrize("form", ["module", "script"])
def test_rerun_is_byte_identical(tmp_path: Path, form: str) -> None:
    cmd = (
        [sys.executable, "-m", "data.simulation.simulate_survey"]
        if form == "module"
        else [sys.executable, str(SIMULATION / "simulate_survey.py")]
    )
    subprocess.run([*cmd, "--out", str(tmp_path)], cwd=ROOT, check=True, capture_output=True)
    for name in SURVEY_FILES:
        assert (tmp_path / name).read_bytes() == (RAW_SURVEY / name).read_bytes(), name


def test_other_seed_changes_data(sim: ModuleType, tmp_path: Path) -> None:
    sim.write_all(tmp_path, seed=sim.SEED + 1)
    assert (tmp_path / "households.csv").read_bytes() != (
        RAW_SURVEY / "households.csv"
    ).read_bytes()


def test_raw_files_match_manifest() -> None:
    assert manifest.check_all() == []
    listed = set(manifest.read_manifest())
    on_disk = {
        p.relative_to(RAW).as_posix() for p in RAW.rglob("*") if p.is_file() and p != MANIFEST
    }
    assert listed == on_disk
    assert {f"survey/{n}" for n in SURVEY_FILES} <= listed
    assert len([p for p in listed if p.startswith("public/")]) == 5


def test_manifest_is_sha256sum_format() -> None:
    import hashlib

    for line in MANIFEST.read_text(encoding="utf-8").splitlines():
        digest, rel = line.split("  ", 1)
        assert hashlib.sha256((RAW / rel).read_bytes()).hexdigest() == digest


def test_public_files_copied_byte_for_byte() -> None:
    # checksums of the compiled originals, kept in the repository (tests/reference/README.md)
    reference = ROOT / "tests" / "reference" / "shared-public.sha256"
    expected = dict(
        reversed(line.split("  ", 1)) for line in reference.read_text("utf-8").splitlines()
    )
    copied = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (RAW / "public").glob("*.csv")
    }
    assert copied == expected


def test_declared_encodings() -> None:
    households = (RAW_SURVEY / "households.csv").read_bytes()
    staff = (RAW_SURVEY / "staff.csv").read_bytes()
    interviews = (RAW_SURVEY / "interviews.csv").read_bytes()
    assert households.startswith(b"\xef\xbb\xbf")
    assert staff.decode("gbk").startswith("序号,")
    with pytest.raises(UnicodeDecodeError):
        staff.decode("utf-8")
    assert not interviews.startswith(b"\xef\xbb\xbf") and interviews.decode("utf-8").startswith(
        "访谈编号"
    )


def test_loaders_recover_simulated_truth(sim: ModuleType) -> None:
    truth = sim.simulate()
    loaders = {
        "households": survey.load_households,
        "staff": survey.load_staff,
        "interviews": survey.load_interviews,
    }
    for name, load in loaders.items():
        got = load()
        expected = truth[name]["truth"][list(got.columns)]
        for col in got.columns:
            a = got[col].astype(object).where(got[col].notna(), None).tolist()
            b = expected[col].astype(object).where(expected[col].notna(), None).tolist()
            assert a == b, (name, col)


def test_timestamps_in_fieldwork_window() -> None:
    raw = pd.read_csv(RAW_SURVEY / "households.csv", encoding="utf-8-sig", dtype=str)
    stamps = pd.to_datetime(raw["提交答卷时间"], format="%Y/%m/%d %H:%M:%S")
    assert stamps.min() >= pd.Timestamp("2019-07-01") and stamps.max() < pd.Timestamp("2019-09-01")
    assert stamps.is_monotonic_increasing
    assert raw["所用时间"].str.fullmatch(r"\d+秒").all()


def test_verify_file_detects_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = tmp_path / "raw"
    (raw / "survey").mkdir(parents=True)
    target = raw / "survey" / "x.csv"
    target.write_bytes(b"a,b\r\n1,2\r\n")
    sums = raw / "SHA256SUMS"
    manifest.write_manifest(raw, sums)
    expected = manifest.file_sha256(target)
    assert manifest.verify_file(target, raw_dir=raw, manifest=sums) == expected
    target.write_bytes(b"a,b\r\n1,3\r\n")
    actual = manifest.file_sha256(target)
    monkeypatch.delenv(manifest.ALLOW_ENV, raising=False)
    with pytest.raises(manifest.ChecksumError) as info:
        manifest.verify_file(target, raw_dir=raw, manifest=sums)
    message = str(info.value)
    assert str(target) in message and expected in message and actual in message
    assert manifest.verify_file(target, raw_dir=raw, manifest=sums, allow_changed=True) == actual
    monkeypatch.setenv(manifest.ALLOW_ENV, "1")
    assert manifest.verify_file(target, raw_dir=raw, manifest=sums) == actual
    monkeypatch.delenv(manifest.ALLOW_ENV)
    assert manifest.check_all(raw, sums) == [f"survey/x.csv: expected {expected}, actual {actual}"]
    (raw / "new.csv").write_text("z")
    with pytest.raises(manifest.ChecksumError, match="not listed"):
        manifest.verify_file(raw / "new.csv", raw_dir=raw, manifest=sums)


def test_verify_file_announces_the_one_manifest_line_it_reads() -> None:
    """The `bookbuild.read_lines` audit event (which makes a chapter depend on one line of the
    manifest) names the manifest and a pattern matching exactly the verified file's line."""
    script = (
        "import sys\n"
        "events = []\n"
        "sys.addaudithook(lambda e, a: events.append(a) if e == 'bookbuild.read_lines' else None)\n"
        "from analysis import manifest\n"
        "from analysis.paths import RAW_SURVEY\n"
        "manifest.verify_file(RAW_SURVEY / 'staff.csv')\n"
        "print(repr(events))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    [(path, pattern)] = ast.literal_eval(result.stdout)
    assert Path(path) == MANIFEST
    lines = MANIFEST.read_text("utf-8").splitlines()
    matching = [line for line in lines if re.search(pattern, line)]
    assert matching == [line for line in lines if line.endswith("  survey/staff.csv")]
    assert len(matching) == 1 and len(lines) > 1


def test_loader_verifies_checksum(tmp_path: Path) -> None:
    copy = tmp_path / "households.csv"
    copy.write_bytes((RAW_SURVEY / "households.csv").read_bytes())
    with pytest.raises(manifest.ChecksumError):
        survey.load_households(copy)  # outside data/raw: not in the manifest
    assert len(survey.load_households(copy, verify=False)) == 320


def test_manifest_cli_check_passes() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "analysis.manifest"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
