"""Shared fixtures: small seeded synthetic frames with the data contract's columns
(``briefs/data_contract.md``), the public data, the fixture book built once per session,
figure cleanup, and the ``slow`` marker on every browser test.

The synthetic frames are NOT the project's simulated survey: they are built here, small and
fast, with known effects so that the statistics have something to find.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from analysis import paths

SPEC = {
    "precision": [f"prec_{i}" for i in range(1, 7)],
    "sharing": [f"share_{i}" for i in range(1, 6)],
    "problems": [f"prob_{i}" for i in range(1, 7)],
}
"""The scales as the data contract defines them (the codebook must agree; see test_scales)."""
REVERSE = ["prob_5"]
FORMALISM = ["paperwork", "inspections"]

STATUSES = ["registered", "exited 2016", "exited 2017-2019", "marginal"]
CAUSES = [
    "illness",
    "disability",
    "lack of skills",
    "lack of labour",
    "education costs",
    "lack of capital",
    "disaster",
    "other",
]
EDUCATION = ["none", "primary", "junior secondary", "senior secondary", "college+"]
ASSIST = [
    "assist_industry",
    "assist_training",
    "assist_microcredit",
    "assist_education",
    "assist_medical",
    "assist_housing",
    "assist_relocation",
    "assist_welfare_job",
    "assist_dividend",
    "assist_technology",
]
THEMES = [
    "formalism",
    "uniform_measures",
    "uneven_assistance",
    "assessment_pressure",
    "staff_shortage",
    "staff_capacity",
    "waiting_mindset",
    "industry_sustainability",
    "infrastructure_improved",
    "social_security_improved",
]


def _likert(latent: np.ndarray, rng: np.random.Generator, noise: float = 0.9) -> np.ndarray:
    """Map a latent score (about 0 +- 1) to 1..5 answers with item noise."""
    raw = 3 + latent + rng.normal(0, noise, latent.size)
    return np.clip(np.rint(raw), 1, 5).astype(int)


def make_households(n: int = 160, seed: int = 20190701) -> pd.DataFrame:
    """A seeded synthetic household frame with the contract's columns and planted effects."""
    rng = np.random.default_rng(seed)
    status = rng.choice(STATUSES, size=n, p=[0.3, 0.2, 0.25, 0.25])
    registered = status != "marginal"
    precision_latent = rng.normal(0, 0.8, n) - 0.6 * (~registered)
    sharing_latent = 0.6 * precision_latent + rng.normal(0, 0.6, n)
    problems_latent = rng.normal(0, 0.8, n)
    frame = pd.DataFrame(
        {
            "hh_id": np.arange(1, n + 1),
            "township": rng.choice(["A", "B", "C", "D"], n),
            "village": rng.choice([f"v{i}" for i in range(8)], n),
            "poor_village": rng.random(n) < 0.5,
            "gender": pd.Categorical(rng.choice(["male", "female"], n), ["male", "female"]),
            "age": rng.integers(25, 85, n),
            "education": pd.Categorical(
                rng.choice(EDUCATION, n), categories=EDUCATION, ordered=True
            ),
            "hh_size": rng.integers(1, 8, n),
        }
    )
    frame["labour"] = np.minimum(rng.integers(0, 4, n), frame["hh_size"])
    frame["status"] = pd.Categorical(status, categories=STATUSES)
    frame["registered"] = registered
    cause = np.where(registered, rng.choice(CAUSES, n), None)
    frame["cause"] = pd.Categorical(cause, categories=CAUSES)
    income_2014 = np.round(rng.lognormal(np.log(3000), 0.35, n), 0)
    wait_latent = rng.normal(-0.6, 1.0, n)
    growth = np.exp(rng.normal(np.log(2.5), 0.25, n) - 0.5 * (~registered) - 0.15 * wait_latent)
    frame["income_2014"] = income_2014
    frame["income_2019"] = np.round(income_2014 * growth, 0)
    for column in ASSIST:
        frame[column] = rng.random(n) < (
            0.7 if column in ("assist_industry", "assist_dividend") else 0.2
        )
    frame.loc[~registered, ASSIST] = False
    for item in SPEC["precision"]:
        frame[item] = _likert(precision_latent, rng)
    for item in SPEC["sharing"]:
        frame[item] = _likert(sharing_latent, rng)
    for item in SPEC["problems"][:4]:
        frame[item] = _likert(problems_latent, rng)
    frame["prob_5"] = 6 - _likert(problems_latent, rng)  # stored as answered: reversed item
    frame["prob_6"] = _likert(wait_latent, rng, noise=0.6)
    satisfaction = (
        3
        + 0.6 * precision_latent
        + 0.4 * sharing_latent
        - 0.5 * problems_latent
        + rng.normal(0, 0.5, n)
    )
    frame["satisfaction"] = np.clip(np.rint(satisfaction), 1, 5).astype(int)
    likert = [*SPEC["precision"], *SPEC["sharing"], *SPEC["problems"], "satisfaction"]
    frame[likert] = frame[likert].astype("Int64")
    skipped = rng.random((n, len(likert))) < 0.02
    frame[likert] = frame[likert].mask(skipped)
    frame["suggestion"] = ""
    return frame


def make_staff(n: int = 60, seed: int = 8) -> pd.DataFrame:
    """A seeded synthetic staff frame: first secretaries report most formalism and hours."""
    rng = np.random.default_rng(seed)
    roles = ["first secretary", "township cadre", "county office"]
    role = rng.choice(roles, n)
    lift = np.select([role == roles[0], role == roles[1]], [0.8, 0.3], 0.0)
    hours = np.round(45 + 12 * lift + rng.normal(0, 6, n), 1)
    latent = lift + (hours - 50) / 15
    frame = pd.DataFrame(
        {
            "staff_id": np.arange(1, n + 1),
            "role": pd.Categorical(role, categories=roles),
            "years_in_post": np.round(rng.uniform(0.5, 6, n), 1),
            "hours_per_week": hours,
            "households_assisted": rng.integers(5, 60, n),
        }
    )
    for item in [
        *FORMALISM,
        "assessment_fair",
        "training",
        "enough_staff",
        "measures_fit",
        "initiative",
    ]:
        frame[item] = pd.array(_likert(latent if item in FORMALISM else np.zeros(n), rng), "Int64")
    frame["comment"] = ""
    return frame


def make_interviews(seed: int = 30) -> pd.DataFrame:
    """A seeded synthetic coding matrix: 12 household heads, 8 first secretaries, 10 staff."""
    rng = np.random.default_rng(seed)
    role = ["household head"] * 12 + ["first secretary"] * 8 + ["staff"] * 10
    frame = pd.DataFrame(
        {
            "interview_id": [f"I{i:02d}" for i in range(1, 31)],
            "role": pd.Categorical(role, ["household head", "first secretary", "staff"]),
        }
    )
    for theme in THEMES:
        frame[theme] = rng.random(30) < 0.4
    return frame


@pytest.fixture
def hh_raw() -> pd.DataFrame:
    """Synthetic households without scale scores."""
    return make_households()


@pytest.fixture
def hh(hh_raw: pd.DataFrame) -> pd.DataFrame:
    """Synthetic households with precision/sharing/problems scored per the contract's SPEC."""
    from analysis import scales

    return scales.score_scales(hh_raw, items=SPEC, reverse=REVERSE)


@pytest.fixture
def staff() -> pd.DataFrame:
    """Synthetic staff frame with a ``formalism`` score (mean of paperwork, inspections)."""
    frame = make_staff()
    frame["formalism"] = frame[FORMALISM].astype("float64").mean(axis=1)
    return frame


@pytest.fixture
def interviews() -> pd.DataFrame:
    return make_interviews()


@pytest.fixture(name="SPEC")
def spec_fixture() -> dict[str, list[str]]:
    """The contract's scale items (a copy, so a test cannot alter it for others)."""
    return {scale: list(items) for scale, items in SPEC.items()}


@pytest.fixture(name="REVERSE")
def reverse_fixture() -> list[str]:
    return list(REVERSE)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


@pytest.fixture
def public_dir() -> Path:
    """The public CSVs in the repository (byte-identical to the compiled originals: checked
    against ``tests/reference/shared-public.sha256`` in ``test_simulation``)."""
    return paths.RAW_PUBLIC


@pytest.fixture(autouse=True)
def close_figures():
    """Close every pyplot figure after each test."""
    yield
    plt.close("all")


@pytest.fixture(scope="session")
def fixture_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture book (``tests/fixtures/minibook``) copied and built once per test run
    (HTML and PDF, ``--jobs 2``): its folder, with ``_book/``, ``_freeze/`` and ``.bookbuild/``.

    Shared by every module that only reads the edition, and by the pytest-xdist workers too
    (the first to need it builds it, under a lock, in the run's common temporary folder); a
    test that edits a book builds its own copy. Fails if the build wrote into the fixture
    folder itself.
    """
    from bookbuild_helpers import FIXTURE, copy_book, run, snapshot

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = shared / "fixture-book"
    root, outcome = folder / "minibook", folder / "outcome.txt"
    folder.mkdir(exist_ok=True)
    with (shared / "fixture-book.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        if not outcome.exists():
            before = snapshot(FIXTURE)
            copy_book(FIXTURE, root)
            result = run(root, "build", "--jobs", "2")
            problem = (
                ""
                if result.code == 0
                else (f"the fixture book does not build: {result.err.strip()[-2000:]}")
            )
            if not problem and snapshot(FIXTURE) != before:
                problem = f"building a copy of the fixture book changed {FIXTURE}"
            outcome.write_text(problem or "ok", "utf-8")
    if outcome.read_text("utf-8") != "ok":
        pytest.fail(outcome.read_text("utf-8"))
    return root


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests are slow tests too: ``-m "not slow"`` (``make test-fast``) leaves them out."""
    for item in items:
        if item.get_closest_marker("browser") and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)
