"""The state layer (`bookbuild/state/`): one atomic write, one SHA-256, checked reads, and the
state paths spelled in one module."""

from __future__ import annotations

import ast
import json
import logging
import os
import stat
from pathlib import Path

import pytest

from bookbuild import PACKAGE_DIR
from bookbuild.state import edition, freeze, store
from bookbuild.state.records import RECORD_VERSION

ABC_SHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"  # FIPS 180-2


def test_sha256_of_bytes_text_and_files_is_the_standard_digest(tmp_path: Path) -> None:
    (tmp_path / "abc").write_bytes(b"abc")
    assert store.sha256(b"abc") == store.sha256("abc") == ABC_SHA256
    assert store.file_sha256(tmp_path / "abc") == ABC_SHA256
    assert store.file_sha256(tmp_path / "missing") is None


def test_atomic_write_replaces_whole_and_leaves_nothing_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "deep" / "state.json"
    store.atomic_write(target, b"old")
    store.atomic_write(target, b"new", durable=True)
    assert target.read_bytes() == b"new"

    def crash(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        store.atomic_write(target, b"lost")
    assert target.read_bytes() == b"new"
    assert [p.name for p in target.parent.iterdir()] == ["state.json"]


def test_atomic_write_gives_the_permissions_of_a_plain_write(tmp_path: Path) -> None:
    plain, atomic = tmp_path / "plain", tmp_path / "atomic"
    plain.write_bytes(b"x")
    store.atomic_write(atomic, b"x")
    assert stat.S_IMODE(atomic.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (lambda data: data[: len(data) - 3], "truncated or edited"),
        (lambda data: data.replace(b"value", b"valve"), "truncated or edited"),
        (lambda data: b"\xff" + data, "not UTF-8"),
        (lambda data: b"", "truncated or edited"),
    ],
)
def test_a_damaged_checked_file_is_absent_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage, problem: str
) -> None:
    path = tmp_path / "entry.json"
    store.write_checked(path, '{"key": "value"}')
    assert store.read_checked(path) == '{"key": "value"}'
    first, _, rest = path.read_text("utf-8").partition("\n")
    assert first == store.sha256(rest)  # the format the memo has always used
    path.write_bytes(damage(path.read_bytes()))
    with caplog.at_level(logging.WARNING, logger="bookbuild"):
        assert store.read_checked(path) is None
    assert [f"{path}: damaged build-state entry ({problem}); computing it again"] == [
        r.getMessage() for r in caplog.records
    ]
    caplog.clear()
    assert store.read_checked(tmp_path / "never-written") is None
    assert not caplog.records  # absent is not damaged


def test_read_json_refuses_what_is_not_json_or_of_the_wrong_shape(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "record.json"

    def problem(value: object) -> str | None:
        return None if isinstance(value, dict) and "key" in value else "no 'key'"

    store.write_json(path, {"key": 1}, indent=1)
    assert path.read_text("utf-8") == '{\n "key": 1\n}\n'
    assert store.read_json(path, problem) == {"key": 1}
    with caplog.at_level(logging.WARNING, logger="bookbuild"):
        path.write_text('{"key": 1')
        assert store.read_json(path, problem) is None
        path.write_text("[]")
        assert store.read_json(path, problem) is None
    assert [r.getMessage().split(": damaged ")[1] for r in caplog.records] == [
        "build-state entry (not JSON: JSONDecodeError); computing it again",
        "build-state entry (no 'key'); computing it again",
    ]


def test_read_bytes_applies_the_callers_check(tmp_path: Path, caplog) -> None:
    path = tmp_path / "font.woff2"
    path.write_bytes(b"wOF2" + b"\0" * 10)
    assert store.read_bytes(path, lambda data: data.startswith(b"wOF2")) == path.read_bytes()
    with caplog.at_level(logging.WARNING, logger="bookbuild"):
        assert store.read_bytes(path, lambda data: len(data) > 100, "web-font cache entry") is None
    assert "damaged web-font cache entry (truncated" in caplog.records[0].getMessage()


@pytest.mark.parametrize("text", ["[]", '{"key": 1}', '{"key": "k", "output": "o"}', "\xff"])
def test_a_damaged_edition_record_is_not_current_and_is_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, text: str
) -> None:
    output = tmp_path / "_book"
    output.mkdir()
    (output / "index.html").write_text("<p>edition</p>")
    edition.remember(tmp_path, "the-key", output)
    assert edition.is_current(tmp_path, "the-key", output)
    assert not edition.is_current(tmp_path, "another-key", output)
    (tmp_path / store.EDITION_FILE).write_bytes(text.encode("latin-1"))
    with caplog.at_level(logging.WARNING, logger="bookbuild"):
        assert not edition.is_current(tmp_path, "the-key", output)
    assert "edition.json: damaged build-state entry" in caplog.records[0].getMessage()


def _entry(tmp_path: Path) -> tuple[Path, bytes]:
    import nbformat

    notebook = (nbformat.writes(nbformat.v4.new_notebook()) + "\n").encode()
    folder = freeze.entry_dir(tmp_path, Path("chapters/one.qmd"))
    record = {
        "version": RECORD_VERSION,
        "source": "chapters/one.qmd",
        "code": "c",
        "env": "e",
        "notebook_sha256": store.sha256(notebook),
        "reads": {"data/raw/x.csv": ABC_SHA256},
        "modules": {},
        "lines": {},
    }
    freeze.save(folder, notebook, record)
    return folder, notebook


def test_a_freeze_entry_round_trips_in_its_format(tmp_path: Path) -> None:
    folder, notebook = _entry(tmp_path)
    assert folder == tmp_path / "_freeze" / "chapters" / "one"
    assert (folder / "notebook.ipynb").read_bytes() == notebook
    saved = json.loads((folder / "record.json").read_text("utf-8"))
    assert (folder / "record.json").read_text("utf-8") == json.dumps(
        saved, indent=1, sort_keys=True
    ) + "\n"
    entry, problem = freeze.load(folder)
    assert problem is None and entry is not None
    assert entry.record["reads"] == {"data/raw/x.csv": ABC_SHA256}


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"version": 0}, "cache entry from another version of the build"),
        ({"notebook_sha256": ABC_SHA256}, "cache entry corrupt"),
        ({"reads": ["data/raw/x.csv"]}, "cache entry unreadable (record has no valid 'reads')"),
    ],
)
def test_a_foreign_freeze_record_is_refused(tmp_path: Path, change: dict, problem: str) -> None:
    folder, _ = _entry(tmp_path)
    record = json.loads((folder / "record.json").read_text("utf-8"))
    (folder / "record.json").write_text(json.dumps({**record, **change}))
    entry, found = freeze.load(folder)
    assert entry is None and found is not None and found.startswith(problem)


def _string_constants(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text("utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        if id(node) not in docstrings
    ]


def test_state_paths_and_atomic_writes_live_in_the_state_module_only() -> None:
    # kernel_setup.py is sent into the kernel as source text, and zygote.py runs by path before
    # any chapter (importing the build into it would put its modules in every forked kernel):
    # neither can import the store
    exempt = {
        PACKAGE_DIR / "state" / "store.py",
        PACKAGE_DIR / "execute" / "kernel_setup.py",
        PACKAGE_DIR / "execute" / "zygote.py",
    }
    spelled, replaced = [], []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if path in exempt:
            continue
        for line, text in _string_constants(path):
            if text in ("_freeze", ".bookbuild") or text.startswith(("_freeze/", ".bookbuild/")):
                spelled.append(f"{path.relative_to(PACKAGE_DIR)}:{line}: {text!r}")
        source = path.read_text("utf-8")
        if "os.replace(" in source or "hashlib.sha256(" in source.replace("hashlib.sha256()", ""):
            replaced.append(str(path.relative_to(PACKAGE_DIR)))
    assert spelled == []
    assert replaced == []  # one atomic write and one SHA-256 helper: state/store.py
