"""The build under abuse: killed at every stage, run twice at once, run without a network,
fed hostile survey text; and a property test of the cross-reference resolver.

The books here are written by the tests (two or three tiny chapters) so that the kill loop,
which runs a dozen builds, stays fast; `tests/kill_points.py` holds each killed build at a
named point, so every kill lands mid-build. An "edition" is compared as a whole: every file
of `_book/` with its bytes, against the two editions known to be correct.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bookbuild_helpers import REPO, last_build, pdf_text, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookbuild.document.ast import Space, Str, walk
from bookbuild.document.crossref import Chapter, number_book, resolve_references
from bookbuild.errors import BuildError
from bookbuild.execute import cache

pytestmark = pytest.mark.slow

NBSP = "\u00a0"
CODE_CHAPTER = Path("chapters/01-code.qmd")
CONFIG = """\
project:
  type: book
book:
  title: "Robustness"
  author: "Test Author"
  date: "2026-01-01"
  chapters:
    - index.qmd
    - chapters/01-code.qmd
    - chapters/02-prose.qmd
lang: en
execute:
  echo: false
"""
CODE = """\
# Code {#sec-code}

```{python}
from pathlib import Path
value = int(Path("data/value.txt").read_text())
```

Twice the value is `{python} value * 2`.
"""
PROSE = "# Prose {#sec-prose}\n\nNo code here; see @sec-code.\n"


def write_book(root: Path, value: int) -> Path:
    (root / "chapters").mkdir(parents=True, exist_ok=True)
    (root / "data").mkdir(exist_ok=True)
    (root / "_quarto.yml").write_text(CONFIG, "utf-8")
    (root / "index.qmd").write_text("# Preface {.unnumbered}\n\nA tiny book.\n", "utf-8")
    (root / CODE_CHAPTER).write_text(CODE, "utf-8")
    (root / "chapters" / "02-prose.qmd").write_text(PROSE, "utf-8")
    set_value(root, value)
    return root


def set_value(root: Path, value: int) -> None:
    (root / "data" / "value.txt").write_text(f"{value}\n", "utf-8")


def build_cmd(root: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "bookbuild",
        "--root",
        str(root),
        "build",
        "--quiet",
        "--jobs",
        "1",
        *extra,
    ]


def build(root: Path, *extra: str) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        build_cmd(root, *extra), capture_output=True, text=True, cwd=REPO, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    return proc


def edition(root: Path) -> dict[str, str] | None:
    """`_book/` as {relative path: sha256}, or None when there is none."""
    if not (root / "_book").exists():
        return None
    return {
        name: hashlib.sha256(data).hexdigest() for name, data in snapshot(root / "_book").items()
    }


def cached_value_is_consistent(root: Path) -> int | None:
    """The code chapter's cache entry is absent (None, with a reason), or intact and
    self-consistent: then the data value it was executed with."""
    entry, reason = cache.read_entry(root, CODE_CHAPTER)
    if entry is None:
        assert reason, "an absent entry must say why"
        return None
    digest = entry.record["reads"]["data/value.txt"]
    value = {hashlib.sha256(f"{v}\n".encode()).hexdigest(): v for v in (20, 21)}[digest]
    shown = [
        o["data"]["text/plain"]
        for c in entry.notebook.cells
        for o in c.get("outputs", [])
        if o.get("metadata", {}).get("bookbuild") == "inline"
    ]
    assert shown == [str(2 * value)], "cached output does not match the data it records"
    return value


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory):
    """A built tiny book and its two correct editions, for data values 20 and 21."""
    root = write_book(tmp_path_factory.mktemp("robust") / "book", 20)
    build(root)
    first = edition(root)
    set_value(root, 21)
    build(root)
    second = edition(root)
    assert first != second
    return root, {20: first, 21: second}


# The kill schedule: every point of tests/kill_points.py once, in the order a build reaches
# them, each killing a build that has a new data value to execute, render and publish.
# (point, edition the kill leaves: the one before the build or the new one, cache entry left)
SCHEDULE = [
    ("kernel-running", "old", "old"),
    ("cache-torn", "old", "absent"),
    ("executed", "old", "new"),
    ("html-staged", "old", "new"),
    ("staged", "old", "new"),
    ("published", "new", "new"),
]


def killed_at(root: Path, point: str, marker: Path) -> None:
    """Run a build, wait until it holds at `point`, then SIGKILL it and its kernels."""
    marker.unlink(missing_ok=True)
    command = [
        sys.executable,
        str(REPO / "tests" / "kill_points.py"),
        point,
        str(marker),
        "--",
        *build_cmd(root)[3:],
    ]
    proc = subprocess.Popen(
        command,
        cwd=REPO,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 240
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    if not marker.exists():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        _out, err = proc.communicate()
        pytest.fail(
            f"the build never reached kill point {point!r} (exit {proc.returncode}): "
            f"{err.strip()[-500:]}"
        )
    os.killpg(proc.pid, signal.SIGKILL)  # the build and its kernels: a power cut
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL


def test_sigkill_at_every_stage_leaves_the_last_good_edition(editions, tmp_path: Path):
    root, known = editions
    value = 21  # the fixture built 21 last: its edition and cache entry are for 21
    for point, left, entry in SCHEDULE:
        old, value = value, 41 - value  # the other value: the build has everything to do
        set_value(root, value)
        killed_at(root, point, tmp_path / "reached")
        expected = known[value] if left == "new" else known[old]
        assert edition(root) == expected, (
            f"after a kill at {point}: _book/ is not the {left} edition"
        )
        cached = cached_value_is_consistent(root)
        assert cached == {"old": old, "new": value, "absent": None}[entry], (
            f"after a kill at {point}: cache entry for {cached}, expected {entry}"
        )
        # The next build repairs whatever the kill left: exactly the edition of the data.
        build(root)
        assert edition(root) == known[value], f"the build after a kill at {point} is wrong"
        assert cached_value_is_consistent(root) == value
        assert not list(root.glob("._book.*")), f"staging left behind after a kill at {point}"
    proc = subprocess.run(
        [sys.executable, "-m", "bookbuild", "--root", str(root), "verify", "--quiet"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_two_builds_at_once_second_stops_and_nothing_is_corrupted(editions):
    root, known = editions
    first = known[20]
    set_value(root, 21)
    build(root)
    set_value(root, 20)  # the first build has real work: execute, render, publish
    one = subprocess.Popen(
        build_cmd(root), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    lock = root / ".bookbuild" / "build.lock"
    deadline = time.monotonic() + 60
    while lock.read_text().strip() != str(one.pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    two = subprocess.run(build_cmd(root), capture_output=True, text=True, cwd=REPO, timeout=60)
    _out, err = one.communicate(timeout=300)
    assert one.returncode == 0, err
    assert two.returncode == 1
    assert f"another build of this project is running (pid {one.pid})" in two.stderr
    assert "nothing was published" in two.stderr
    assert edition(root) == first
    assert cached_value_is_consistent(root) == 20


def test_build_needs_no_network(tmp_path: Path):
    probe = subprocess.run(["unshare", "--net", "--", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(
            f"cannot create a network namespace here (unshare --net: "
            f"{probe.stderr.strip()}); run as root on Linux to test offline builds"
        )
    root = write_book(tmp_path / "book", 20)
    offline = subprocess.run(
        [
            "unshare",
            "--net",
            "--",
            sys.executable,
            "-c",
            "import socket\ntry:\n    socket.create_connection(('1.1.1.1', 53), timeout=3)\n"
            "except OSError as exc:\n    print('offline', exc.errno)\nelse:\n    print('online')",
        ],
        capture_output=True,
        text=True,
    )
    assert offline.stdout.startswith("offline"), "the namespace still reaches the network"
    proc = subprocess.run(
        ["unshare", "--net", "--", *build_cmd(root)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Twice the value is 40" in " ".join(
        (root / "_book" / "01-code.html").read_text("utf-8").split()
    )
    assert (root / "_book" / "thesis.pdf").stat().st_size > 0


# ---- hostile survey text ---------------------------------------------------------------------

HOSTILE = ["<script>alert(1)</script>", "<b>bold</b>", "*stars*", "[link](javascript:x)"]
HOSTILE_CHAPTER = """\
# Free text {#sec-free}

```{python}
import pandas as pd
answers = pd.DataFrame({"hh_id": [1, 2, 3, 4], "comment": HOSTILE})
```

Inline: `{python} answers.comment[0]` and `{python} answers.comment[1]` and
`{python} answers.comment[2]` and `{python} answers.comment[3]`.

```{python}
#| label: tbl-free
#| tbl-cap: "Free-text answers"
answers
```
"""


@pytest.fixture(scope="module")
def hostile_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "book"
    (root / "chapters").mkdir(parents=True)
    (root / "_quarto.yml").write_text(
        CONFIG.replace(
            "    - chapters/01-code.qmd\n    - chapters/02-prose.qmd\n",
            "    - chapters/01-free.qmd\n",
        ),
        "utf-8",
    )
    (root / "index.qmd").write_text("# Preface {.unnumbered}\n\nHostile input.\n", "utf-8")
    (root / "chapters" / "01-free.qmd").write_text(
        HOSTILE_CHAPTER.replace("HOSTILE", repr(HOSTILE)), "utf-8"
    )
    build(root)
    return root


def _main(page: str) -> str:
    return page[page.index("<main") : page.index("</main>")]


def test_hostile_text_is_inert_in_html(hostile_book: Path):
    from bookbuild_helpers import parse_html

    main = _main((hostile_book / "_book" / "01-free.html").read_text("utf-8"))
    tree = parse_html(main)
    assert tree.find_all("script") == []
    assert tree.find_all("b") == []
    assert not [a for a in tree.find_all("a") if "javascript" in a.attrs.get("href", "")]
    assert "<script>" not in main and "<b>" not in main
    text = tree.text()
    for value in HOSTILE:
        assert text.count(value) == 2, (
            f"{value!r} should show literally, once inline and once in the table"
        )


def test_hostile_text_is_plain_in_pdf(hostile_book: Path):
    text = pdf_text(hostile_book / "_book" / "thesis.pdf")
    for value in HOSTILE:
        assert text.count(value) == 2, f"{value!r} not printed literally twice in the PDF"


@pytest.mark.browser
def test_hostile_text_runs_nothing_in_a_browser(hostile_book: Path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        pytest.skip("headless Chromium not installed (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        driver.get((hostile_book / "_book" / "01-free.html").as_uri())
        time.sleep(0.5)
        with pytest.raises(NoAlertPresentException):
            driver.switch_to.alert.text  # noqa: B018 - raises when no dialog is open
        assert driver.execute_script("return document.querySelectorAll('main script').length") == 0
        shown = driver.execute_script("return document.querySelector('main').innerText")
        for value in HOSTILE:
            assert value in shown
    finally:
        driver.quit()


# ---- cross-reference resolver: property test -------------------------------------------------


def _header(level: int, ident: str, title: str, classes: list[str] | None = None) -> dict:
    return {"t": "Header", "c": [level, [ident, classes or [], []], [Str(title)]]}


def _caption(text: str) -> list:
    return [None, [{"t": "Plain", "c": [Str(text)]}]]


def _figure(ident: str) -> dict:
    image = {"t": "Image", "c": [["", [], []], [], ["x.svg", ""]]}
    return {
        "t": "Figure",
        "c": [[ident, [], []], _caption("A figure"), [{"t": "Plain", "c": [image]}]],
    }


def _table(ident: str) -> dict:
    empty = ["", [], []]
    return {
        "t": "Table",
        "c": [[ident, [], []], _caption("A table"), [], [empty, []], [], [empty, []]],
    }


def _cite(label: str) -> dict:
    citation = {
        "citationId": label,
        "citationPrefix": [],
        "citationSuffix": [],
        "citationMode": {"t": "NormalCitation"},
        "citationNoteNum": 0,
        "citationHash": 0,
    }
    return {"t": "Cite", "c": [[citation], [Str(f"@{label}")]]}


chapter_plans = st.lists(
    st.tuples(
        st.booleans(),  # numbered?
        st.lists(st.sampled_from(["fig", "tbl", "sec"]), max_size=6),
    ),
    min_size=1,
    max_size=4,
)


def _book_from(plans, appendices: int):
    """Chapters with labelled items, and every label's expected reference text."""
    chapters, expected = [], {}
    main = appendix = 0
    for index, (numbered, items) in enumerate(plans):
        is_appendix = index >= len(plans) - appendices
        if numbered and is_appendix:
            number = "ABCD"[appendix]
            appendix += 1
        elif numbered:
            main += 1
            number = str(main)
        else:
            number = None
        title = f"Chapter title {index}"
        blocks = [_header(1, f"sec-ch{index}", title, None if numbered else ["unnumbered"])]
        kind = "Appendix" if is_appendix else "Chapter"
        expected[f"sec-ch{index}"] = f"{kind}{NBSP}{number}" if number else title
        counts = {"fig": 0, "tbl": 0, "sec": 0}
        for k, item in enumerate(items):
            counts[item] += 1
            label = f"{item}-c{index}-{k}"
            tail = f"{number}.{counts[item]}" if number else str(counts[item])
            if item == "fig":
                blocks.append(_figure(label))
                expected[label] = f"Figure{NBSP}{tail}"
            elif item == "tbl":
                blocks.append(_table(label))
                expected[label] = f"Table{NBSP}{tail}"
            else:
                blocks.append(_header(2, label, f"Part {k}"))
                expected[label] = (
                    f"Section{NBSP}{number}.{counts['sec']}" if number else f"Part {k}"
                )
        chapters.append(
            Chapter(
                path=Path(f"chapters/{index}.qmd"),
                page=f"{index}.html",
                appendix=is_appendix,
                part=None,
                source="",
                blocks=blocks,
            )
        )
    return chapters, expected


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans=chapter_plans, appendices=st.integers(0, 2), data=st.data())
def test_every_reference_resolves_to_its_number(plans, appendices, data):
    appendices = min(appendices, len(plans))
    chapters, expected = _book_from(plans, appendices)
    labels = sorted(expected)
    wanted = data.draw(st.lists(st.sampled_from(labels), min_size=1, max_size=8))
    where = data.draw(
        st.lists(st.integers(0, len(chapters) - 1), min_size=len(wanted), max_size=len(wanted))
    )
    for label, index in zip(wanted, where, strict=True):
        chapters[index].blocks.append({"t": "Para", "c": [Str("See"), Space(), _cite(label)]})
    targets = number_book(chapters)
    assert {label: t.text for label, t in targets.items()} == expected
    resolve_references(chapters, targets, set())
    found = {}
    for chapter in chapters:
        for node in walk(chapter.blocks):
            assert node["t"] != "Cite", "a cross-reference was left unresolved"
            if node["t"] == "Link" and "quarto-xref" in node["c"][0][1]:
                label = node["c"][2][0].removeprefix("#")
                found.setdefault(label, set()).add(node["c"][1][0]["c"])
    assert found == {label: {expected[label]} for label in wanted}


@settings(max_examples=25, deadline=None)
@given(
    plans=chapter_plans,
    unknown=st.lists(
        st.sampled_from(["fig", "tbl", "sec", "eq"]).flatmap(
            lambda kind: st.from_regex(rf"\A{kind}-zz[a-z0-9]{{1,8}}\Z")
        ),
        min_size=1,
        max_size=4,
        unique=True,
    ),
)
def test_unknown_references_are_errors_naming_them(plans, unknown):
    chapters, expected = _book_from(plans, 0)
    known = sorted(expected)[0]
    chapters[-1].blocks.append({"t": "Para", "c": [_cite(known)] + [_cite(u) for u in unknown]})
    targets = number_book(chapters)
    with pytest.raises(BuildError) as info:
        resolve_references(chapters, targets, set())
    message = str(info.value)
    first, *rest = message.splitlines()
    assert f"unknown cross-reference '@{unknown[0]}'" in first
    assert (f"(and {len(unknown) - 1} more unresolved reference(s) below)" in first) == bool(rest)
    assert len(rest) == len(unknown) - 1
    for label in unknown:
        assert f"unknown cross-reference '@{label}'" in message
    assert f"'@{known}'" not in message


def test_noop_rebuild_renders_nothing_but_repairs_a_changed_edition(editions):
    root, known = editions
    second = known[21]
    set_value(root, 21)
    build(root)
    assert edition(root) == second
    build(root)
    record = last_build(root)
    assert (record["rendered"], record["kernels_started"]) == (False, 0)
    assert edition(root) == second
    page = root / "_book" / "01-code.html"
    page.write_text(page.read_text("utf-8") + "<!-- tampered -->", "utf-8")
    build(root)
    assert last_build(root)["rendered"] is True
    assert edition(root) == second
