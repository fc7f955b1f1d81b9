"""Publishing: the edition is swapped in whole or not at all, leftovers of killed builds are
cleared, and the build lock turns a second concurrent build away with a clear message."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from bookbuild_helpers import REPO, run, snapshot

from bookbuild.commands import build as build_module
from bookbuild.errors import BuildError
from bookbuild.state import publish

CONFIG = """\
project:
  type: book
book:
  title: "Publishing"
  chapters:
    - index.qmd
"""


def tree(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def prose_book(root: Path, text: str = "Plain prose.") -> Path:
    index = f"# Preface {{.unnumbered}}\n\n{text}\n"
    return tree(root, {"_quarto.yml": CONFIG, "index.qmd": index})


# --- the swap ------------------------------------------------------------------------------


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "rename-fallback"])
def test_publish_replaces_the_whole_edition(tmp_path: Path, monkeypatch, exchange: bool):
    if not exchange:
        monkeypatch.setattr(publish, "_exchange", lambda a, b: False)
    output = tree(
        tmp_path / "_book", {"index.html": "old", "gone.html": "old only", publish.MARKER: "old"}
    )
    staging = publish.staging_dir(output)
    tree(staging, {"index.html": "new", "figures/f.svg": "<svg/>"})
    publish.publish(staging, output)
    assert snapshot(output) == {
        "index.html": b"new",
        "figures/f.svg": b"<svg/>",
        publish.MARKER: publish.MARKER_TEXT.encode(),
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_book"]  # nothing left beside it


def test_first_publish_renames_staging(tmp_path: Path):
    output = tmp_path / "_book"
    staging = tree(publish.staging_dir(output), {"index.html": "first"})
    publish.publish(staging, output)
    assert snapshot(output) == {
        "index.html": b"first",
        publish.MARKER: publish.MARKER_TEXT.encode(),
    }
    assert not staging.exists()


def test_exchange_swaps_two_directories_in_one_step(tmp_path: Path):
    a = tree(tmp_path / "a", {"x": "a"})
    b = tree(tmp_path / "b", {"y": "b"})
    if not publish._exchange(a, b):
        pytest.skip("renameat2(RENAME_EXCHANGE) is not supported on this filesystem")
    assert snapshot(a) == {"y": b"b"} and snapshot(b) == {"x": b"a"}


def test_leftovers_of_killed_builds_are_removed(tmp_path: Path):
    output = tmp_path / "_book"
    left = [publish.staging_dir(output), tmp_path / "._book.old-123"]
    left[1].mkdir()
    publish.clean_stale_staging(output)
    assert not any(p.exists() for p in left)


@pytest.mark.slow
def test_failure_while_rendering_keeps_the_last_good_edition(tmp_path: Path, monkeypatch):
    root = prose_book(tmp_path / "book", "First edition.")
    assert run(root, "build").code == 0
    before = snapshot(root / "_book")
    assert "First edition." in before["index.html"].decode()
    prose_book(root, "Second edition.")

    def broken_typst(*_args, **_kwargs):
        raise BuildError("Typst could not typeset the PDF", detail="simulated failure")

    monkeypatch.setattr(build_module, "compile_pdf", broken_typst)
    result = run(root, "build")
    assert result.code == 1 and "Typst could not typeset" in result.err
    assert snapshot(root / "_book") == before  # the HTML was rendered, but never published
    assert not list(root.glob("._book.*"))
    monkeypatch.undo()
    assert run(root, "build", "--to", "html").code == 0  # the lock was released
    assert "Second edition." in (root / "_book" / "index.html").read_text("utf-8")


# --- the lock ------------------------------------------------------------------------------


@pytest.mark.slow
def test_second_concurrent_build_is_turned_away(tmp_path: Path):
    root = prose_book(tmp_path / "book")
    tree(
        root,
        {
            "index.qmd": "# Preface {.unnumbered}\n\n```{python}\nimport time\n"
            "time.sleep(2)\n```\n\nSlow prose.\n"
        },
    )
    first = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bookbuild",
            "--root",
            str(root),
            "build",
            "--to",
            "html",
            "--quiet",
        ],
        cwd=REPO,
        stderr=subprocess.PIPE,
        text=True,
    )
    lock = root / ".bookbuild" / "build.lock"
    try:
        deadline = time.monotonic() + 60
        while not (lock.exists() and lock.read_text().strip() == str(first.pid)):
            assert first.poll() is None, first.communicate()[1]
            assert time.monotonic() < deadline, "the first build never took the lock"
            time.sleep(0.05)
        second = run(root, "build", "--to", "html")
        assert first.poll() is None, "the first build ended before the second was tried"
    finally:
        _, err = first.communicate(timeout=120)
    assert second.code == 1
    assert f"another build of this project is running (pid {first.pid})" in second.err
    assert first.returncode == 0, err
    assert "Slow prose." in (root / "_book" / "index.html").read_text("utf-8")


def test_lock_is_free_again_after_a_failed_build(tmp_path: Path):
    root = tmp_path / "book"
    root.mkdir()
    with pytest.raises(RuntimeError), publish.build_lock(root):
        raise RuntimeError("build failed")
    with publish.build_lock(root):
        pass
