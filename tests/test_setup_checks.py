"""The set-up check that `make` runs first, the Python range it shares with pyproject.toml, and
the kill-point runner's refusal of an unknown point."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "check_setup.py"


def _load():
    spec = importlib.util.spec_from_file_location("check_setup", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check = _load()


@pytest.mark.parametrize("version", [(3, 11, 0), (3, 12, 1), (3, 13, 9)])
def test_supported_pythons_pass(version):
    assert check.python_problem(version) is None


@pytest.mark.parametrize("version", [(2, 7, 18), (3, 10, 13), (3, 14, 0), (4, 0, 0)])
def test_other_pythons_get_one_line_naming_the_supported_range(version):
    message = check.python_problem(version)
    assert "\n" not in message
    assert message.startswith(f"Python {version[0]}.{version[1]} cannot build this thesis")
    assert "3.11 to 3.13" in message and "make PYTHON=python3.13" in message


def test_the_range_is_the_one_pyproject_declares():
    declared = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    low, high = re.fullmatch(r">=(\d+\.\d+),<(\d+\.\d+)", declared["requires-python"]).groups()
    (lo_major, lo_minor), (hi_major, hi_minor) = check.SUPPORTED
    assert low == f"{lo_major}.{lo_minor}"
    assert high == f"{hi_major}.{hi_minor + 1}"


def test_missing_tools_are_named_with_how_to_get_them():
    assert check.tool_problems(which=lambda name: None) == [
        "`make` is not installed: install make (Debian/Ubuntu: apt-get install make)",
        "`npm` is not installed: install Node.js with npm (Debian/Ubuntu: apt-get install npm; "
        "or nodejs.org)",
    ]
    assert check.tool_problems(which=lambda name: f"/usr/bin/{name}") == []


def test_script_exit_status_and_message(tmp_path: Path):
    ok = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True)
    assert (ok.returncode, ok.stderr) == (0, "")  # this interpreter, make and npm are here
    # a PATH with make but no npm: exactly one line, naming npm
    (tmp_path / "make").symlink_to(shutil.which("make") or "/bin/true")
    no_npm = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, env={"PATH": str(tmp_path)}
    )
    assert no_npm.returncode == 1
    assert no_npm.stderr.splitlines() == [
        "set-up: `npm` is not installed: install Node.js with npm (Debian/Ubuntu: apt-get "
        "install npm; or nodejs.org)"
    ]


def test_kill_point_runner_refuses_an_unknown_point(tmp_path: Path):
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "tests" / "kill_points.py"),
            "nowhere",
            str(tmp_path / "m"),
            "--",
            "build",
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("usage: kill_points.py {kernel-running,cache-torn,")
    assert not (tmp_path / "m").exists()
