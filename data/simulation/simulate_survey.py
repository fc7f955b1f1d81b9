"""Seeded simulation of the Lankao field-survey exports (households, staff, interviews).

The original questionnaires and interview notes are confidential. The open edition of the
thesis therefore ships SIMULATED microdata drawn from the same instrument
(``data/codebook.yaml``) with the patterns of protocol section 6 built in on purpose. Chapter 5
run on these files demonstrates the methods; it is not independent evidence.

What it writes (default ``data/raw/survey``):

* ``households.csv``: 320 households (4 townships x 2 villages x 40), UTF-8 with BOM, plus two
  aborted submissions with no answers (blank rows the loader must exclude and report);
* ``staff.csv``: 86 staff, GBK (the "older export"), header ``来自IP``;
* ``interviews.csv``: 30 coded interviews (12 household heads, 8 first secretaries, 10 staff),
  UTF-8, themes coded 0/1.

Headers and option texts are read from the codebook, so the exports and the loader can never
disagree about the instrument. Everything random comes from one ``numpy.random.Generator``
per instrument, spawned from the fixed ``SEED``; timestamps are derived from the same
generators (no wall-clock time), so reruns are byte-identical.

Run from the repository root::

    python -m data.simulation.simulate_survey [--out DIR] [--seed N]
    python data/simulation/simulate_survey.py [--out DIR] [--seed N]

Every parameter below carries a comment saying what it does and why it has its value.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd
import yaml

__all__ = [
    "SEED",
    "render_csv",
    "simulate",
    "simulate_households",
    "simulate_interviews",
    "simulate_staff",
    "write_all",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
CODEBOOK_PATH = REPO_ROOT / "data" / "codebook.yaml"
DEFAULT_OUT = REPO_ROOT / "data" / "raw" / "survey"

# ----------------------------------------------------------------------------------------
# Global parameters
# ----------------------------------------------------------------------------------------
SEED = 20190715
"""Master seed (the first fieldwork day, 15 July 2019, as a number). Changing it changes every
file; the committed files and the manifest were written with this value."""

HOUSEHOLDS_PER_VILLAGE = 40  # protocol §1: 40 households per village, 8 villages -> n = 320
N_BLANK_SUBMISSIONS = 2  # aborted submissions with a 序号 but no answers: exercise the
#                          documented blank-row exclusion rule on the real file
FIELDWORK_START = dt.datetime(2019, 7, 8, 8, 0, 0)  # protocol §1: fieldwork July-August 2019
FIELDWORK_DAYS = 52  # 8 July .. 28 August: submissions are spread over these days
WORKDAY_HOURS = (8, 19)  # enumerators work 08:00-19:00, so timestamps fall in that window

# Free-text and typing noise (protocol §2: realistic details the loader must handle)
P_LIKERT_SKIP = 0.012  # share of Likert cells exported as "(跳过)": rare item non-response
P_LIKERT_EMPTY = 0.008  # share of Likert cells left empty: the platform's other missing form
P_AGE_WITH_UNIT = 0.10  # share of ages typed with the unit "岁" (e.g. "56岁")
INCOME_FORMS = {  # how a hand-typed income is written; probabilities sum to 1
    "plain": 0.60,  # 12000
    "comma": 0.12,  # 12,000
    "wan": 0.12,  # 1.2万 / 0.83万: rounded to 100 yuan, used for values >= WAN_MIN_VALUE
    "fullwidth": 0.08,  # １２０００ (typed with a Chinese input method)
    "yuan": 0.08,  # 12000元
}
WAN_MIN_VALUE = 5000  # below this nobody writes 万 (0.3万 would be odd for 3,000 yuan)
P_SUGGESTION = 0.45  # share of households writing a suggestion (the rest leave it empty)
P_COMMENT = 0.55  # share of staff writing a comment

# ----------------------------------------------------------------------------------------
# Household parameters
# ----------------------------------------------------------------------------------------
STATUS_CODES = ("registered", "exited 2016", "exited 2017-2019", "marginal")
STATUS_PROBS = {  # P(status) by village type; formerly poor villages have more registered
    True: (0.10, 0.30, 0.35, 0.25),  # households, non-poor villages more marginal ones, so
    False: (0.08, 0.22, 0.30, 0.40),  # that both groups are large enough to compare (§7)
}
P_MALE_HEAD = 0.80  # respondents are household heads; assumed mostly men (an assumption)
AGE_MEAN, AGE_SD, AGE_RANGE = 55.0, 12.0, (22, 88)  # assumed: middle-aged to old heads
EDUCATION_PROBS = (0.18, 0.38, 0.32, 0.09, 0.03)  # none..college+: assumed low schooling
HH_SIZE_EXTRA_MEAN = 2.6  # household size = 1 + Poisson(2.6): mean about 3.6 persons
LABOUR_SHARE = 0.55  # each member is a labourer with this probability (Binomial)

CAUSE_CODES = (
    "illness",
    "disability",
    "lack of skills",
    "lack of labour",
    "education costs",
    "lack of capital",
    "disaster",
    "other",
)
CAUSE_PROBS = (0.30, 0.12, 0.15, 0.12, 0.08, 0.13, 0.04, 0.06)  # assumed; illness the most common

# Incomes (yuan per person per year). Log-normal levels, multiplicative growth.
INCOME_2014_MEDIAN = {"registered": 2600.0, "marginal": 3900.0}  # assumed levels: registered
#                     households poorest, marginal ones somewhat better off ("just above")
INCOME_2014_LOG_SD = 0.30  # spread of 2014 incomes on the log scale
GROWTH_MEDIAN = {  # median ratio income_2019 / income_2014 by status (protocol §6: 2-3x for
    "registered": 1.9,  # registered households, less for marginal ones); not-yet-exited
    "exited 2016": 2.7,  # households grew least among the registered, early exits most
    "exited 2017-2019": 2.5,
    "marginal": 1.45,
}
GROWTH_LOG_SD = 0.22  # household-level noise of log growth
WAIT_GROWTH_EFFECT = -0.12  # change of log growth per SD of the "waiting" latent: those who
#                             agree it is better to wait for help gained less (protocol §6)

# Latent attitudes (standard normal units) behind the Likert items.
PRECISION_SHIFT = {  # mean of the precision latent by status: marginal households rate
    "registered": 0.0,  # precision lower, a moderate effect ("uneven" finding, §6)
    "exited 2016": 0.10,
    "exited 2017-2019": 0.05,
    "marginal": -0.80,
}
RHO_SHARING_PRECISION = 0.50  # correlation of sharing latent with precision latent
RHO_PROBLEMS_PRECISION = -0.35  # problems latent falls as precision rises
ITEM_LOADING = 0.68  # loading of each Likert item on its latent: with 5-6 items this gives
#                      Cronbach's alpha about 0.75-0.82 after discretisation (§6: 0.7-0.85)
PROB6_LOADING_PROBLEMS = 0.45  # prob_6 ("better to wait") loads on the problems latent ...
PROB6_LOADING_WAITING = 0.70  # ... and mainly on its own "waiting" latent (linked to growth)
PROB6_AGREE_SHARE = 0.25  # share answering agree/strongly agree to prob_6 (§6: a quarter)
LIKERT_CUTS = np.array([-1.5, -0.7, 0.1, 0.95])  # thresholds cutting a latent item score
#                                                  into 1..5 before each item's offset
ITEM_OFFSET = {  # per-scale shift of the thresholds (negative = higher ratings): precision
    "prec": -0.45,  # and sharing are rated fairly positively, problems around the middle
    "share": -0.35,
    "prob": 0.05,
}
SATISFACTION_WEIGHTS = {"precision": 0.45, "sharing": 0.30, "problems": -0.30}  # §6 signs
SATISFACTION_NOISE_SD = 0.70  # residual noise of the satisfaction latent
SATISFACTION_OFFSET = -0.40  # shifts thresholds down: most answers "satisfied" or better

# Assistance received (multi-select). Base probabilities for registered households; a few
# cause-specific bumps make the mix depend only WEAKLY on the cause (§6: industry projects
# and dividends dominate whatever the cause: "measures relatively simple").
ASSIST_BASE = {
    "assist_industry": 0.72,
    "assist_training": 0.35,
    "assist_microcredit": 0.25,
    "assist_education": 0.15,
    "assist_medical": 0.20,
    "assist_housing": 0.15,
    "assist_relocation": 0.03,
    "assist_welfare_job": 0.15,
    "assist_dividend": 0.62,
    "assist_technology": 0.20,
}
ASSIST_CAUSE_BUMP = {  # added probability for a matching cause (small on purpose)
    ("illness", "assist_medical"): 0.12,
    ("disability", "assist_welfare_job"): 0.10,
    ("education costs", "assist_education"): 0.15,
    ("lack of skills", "assist_training"): 0.10,
    ("lack of capital", "assist_microcredit"): 0.10,
}
ASSIST_MARGINAL_FACTOR = 0.25  # marginal (never registered) households got far less help

SUGGESTIONS = (  # invented, generic free text; some contain commas, quotes, line breaks and
    "希望继续加大产业扶持力度",  # markup to test that it survives as inert text
    "希望多开展技能培训，尤其是适合妇女的",
    "路再修宽一点,方便拉货",
    '希望干部少搞"材料"，多办实事',
    "一是加强技能培训；\n二是壮大村集体经济",
    "<b>希望</b>政策能继续下去",
    "<script>alert(1)</script>",
    "边缘户也应该有政策照顾",
    "表格太多了, 检查也太多了",
    "没有",
    "分红能不能按时发放",
    "希望孩子上学的补助再多一些",
    "看病报销比以前方便多了，谢谢",
    "希望多来我们村看看\r\n听听大家的想法",
)

# ----------------------------------------------------------------------------------------
# Staff parameters
# ----------------------------------------------------------------------------------------
STAFF_ROLE_COUNTS = {  # n = 86 (protocol §1); the split by role is an assumption:
    "first secretary": 30,  # enough first secretaries to compare with the other roles,
    "township cadre": 36,  # township cadres the largest group,
    "county office": 20,  # county poverty-alleviation office staff the smallest
}
HOURS_MEAN = {"first secretary": 56.0, "township cadre": 48.0, "county office": 44.0}  # assumed
HOURS_SD = 7.0  # spread of weekly hours within a role
HOURS_RANGE = (20, 90)  # clip weekly hours to a plausible band
YEARS_GAMMA = {  # (shape, scale) of years in post; assumed short posts for first secretaries
    "first secretary": (4.0, 0.55),
    "township cadre": (2.0, 2.5),
    "county office": (2.0, 3.0),
}
HOUSEHOLDS_ASSISTED_MEAN = {"first secretary": 45, "township cadre": 25, "county office": 12}
"""Poisson mean of households each respondent assists, by role (assumed)."""
FORMALISM_ROLE_SHIFT = {  # formalism latent by role: highest for first secretaries (§6)
    "first secretary": 0.55,
    "township cadre": 0.25,
    "county office": 0.0,
}
FORMALISM_HOURS_SLOPE = 0.50  # rise of the formalism latent per 8 weekly hours (§6)
FORMALISM_LOADING = 0.80  # loading of paperwork/inspections on the formalism latent
FORMALISM_OFFSET = -0.6  # thresholds shifted down: both items rated high overall (§6)
STAFF_OTHER_ITEMS = {  # (loading on formalism latent, threshold offset) for the other items
    "assessment_fair": (-0.40, 0.0),  # more burdened staff find assessment less fair
    "training": (-0.15, -0.2),
    "enough_staff": (-0.35, 0.4),  # staff shortage: mostly disagree that staff suffice
    "measures_fit": (-0.20, -0.3),
    "initiative": (-0.10, 0.3),  # households' own initiative judged middling to low
}
P_STAFF_SKIP = 0.01  # share of staff Likert cells skipped

STAFF_COMMENTS = (  # invented, generic, GBK-encodable
    "表格太多，希望精简",
    "检查督查能不能合并,减少重复",
    '建议少一些"留痕"要求',
    "人手不够，一个人要管好几个村的材料\n希望增加编制",
    "<b>培训</b>要更有针对性",
    "<script>alert(1)</script>",
    "产业项目要考虑长期效益",
    "无",
    "边缘户的问题需要政策兜底",
    "考核指标应该因地制宜",
)

# ----------------------------------------------------------------------------------------
# Interview parameters
# ----------------------------------------------------------------------------------------
INTERVIEW_GROUPS = (("H", "household head", 12), ("F", "first secretary", 8), ("S", "staff", 10))
THEME_PROBS = {  # P(theme coded present) by role, chosen (not estimated) so that staff-side
    #               roles raise formalism, assessment pressure and staff shortage, and household
    #               heads the cliff effect and visible improvements, the themes of protocol §5
    "formalism": {"household head": 0.25, "first secretary": 0.85, "staff": 0.70},
    "uniform_measures": {"household head": 0.40, "first secretary": 0.50, "staff": 0.40},
    "uneven_assistance": {"household head": 0.60, "first secretary": 0.40, "staff": 0.30},
    "assessment_pressure": {"household head": 0.20, "first secretary": 0.80, "staff": 0.70},
    "staff_shortage": {"household head": 0.10, "first secretary": 0.60, "staff": 0.70},
    "staff_capacity": {"household head": 0.20, "first secretary": 0.40, "staff": 0.50},
    "waiting_mindset": {"household head": 0.25, "first secretary": 0.70, "staff": 0.60},
    "industry_sustainability": {"household head": 0.40, "first secretary": 0.60, "staff": 0.50},
    "infrastructure_improved": {"household head": 0.90, "first secretary": 0.80, "staff": 0.70},
    "social_security_improved": {"household head": 0.80, "first secretary": 0.60, "staff": 0.60},
}

SKIP = "(跳过)"
MULTI_SEP = "┋"
FULLWIDTH = str.maketrans("0123456789,.", "０１２３４５６７８９，．")


# ----------------------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------------------
def _load_codebook(path: Path = CODEBOOK_PATH) -> dict[str, Any]:
    """Read the codebook YAML (the single source of headers and option texts)."""
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _columns(codebook: dict[str, Any], file: str) -> dict[str, dict[str, Any]]:
    """Codebook column specs of one file keyed by variable (metadata keyed by kind)."""
    out: dict[str, dict[str, Any]] = {}
    for col in codebook["files"][file]["columns"]:
        key = col["var"] if col.get("var") else col["kind"]
        if col["kind"] == "multi_select":
            key = "assist"
        out[key] = col
    return out


def _text_for(spec: dict[str, Any], code: Any, codebook: dict[str, Any]) -> str:
    """Chinese option text that the codebook maps to ``code`` (inverse lookup)."""
    options = spec.get("options") or codebook["option_sets"][spec["option_set"]]["options"]
    for text, value in options.items():
        if value == code:
            return text
    raise KeyError(f"no option text for {code!r} in {spec['header']}")


def _likert_from_latent(
    latent: np.ndarray, loading: float, offset: float, rng: np.random.Generator
) -> np.ndarray:
    """Discretise ``loading * latent + noise`` into 1..5 with the shared thresholds."""
    noise_sd = np.sqrt(max(1.0 - loading**2, 0.05))
    score = loading * latent + noise_sd * rng.standard_normal(latent.shape[0])
    return 1 + (score[:, None] > (LIKERT_CUTS + offset)[None, :]).sum(axis=1)


def _timestamps(n: int, rng: np.random.Generator) -> list[dt.datetime]:
    """``n`` sorted submission times in the fieldwork window, during working hours."""
    day = rng.integers(0, FIELDWORK_DAYS, size=n)
    secs = rng.integers(WORKDAY_HOURS[0] * 3600, WORKDAY_HOURS[1] * 3600, size=n)
    midnight = FIELDWORK_START.replace(hour=0, minute=0, second=0)
    stamps = [
        midnight + dt.timedelta(days=int(d), seconds=int(s)) for d, s in zip(day, secs, strict=True)
    ]
    return sorted(stamps)


def _format_timestamp(stamp: dt.datetime) -> str:
    """Platform style ``2019/7/15 10:23:45`` (no zero padding of month and day)."""
    return f"{stamp.year}/{stamp.month}/{stamp.day} {stamp:%H:%M:%S}"


def _fake_ip(rng: np.random.Generator) -> str:
    """An address from the RFC 5737 documentation ranges, so no real person's IP appears."""
    prefix = ("192.0.2", "198.51.100", "203.0.113")[int(rng.integers(0, 3))]
    return f"{prefix}.{int(rng.integers(1, 255))}(河南-开封)"


def _format_income(value: int, rng: np.random.Generator) -> tuple[str, int]:
    """Write an income the way respondents typed it (see ``INCOME_FORMS``).

    Returns the typed text and the value it stands for: a respondent answering in 万 rounds
    to the nearest 100 yuan (``0.83万``), so the true value is the rounded one.
    """
    forms = list(INCOME_FORMS)
    form = forms[int(rng.choice(len(forms), p=list(INCOME_FORMS.values())))]
    if form == "wan" and value >= WAN_MIN_VALUE:
        value = round(value, -2)
        wan = f"{value / 10000:.4f}".rstrip("0").rstrip(".")
        return f"{wan}万", value
    if form == "comma":
        return f"{value:,}", value
    if form == "fullwidth":
        return str(value).translate(FULLWIDTH), value
    if form == "yuan":
        return f"{value}元", value
    return str(value), value


def _maybe_skip_likert(
    value: int, rng: np.random.Generator, p_skip: float, p_empty: float
) -> tuple[str | None, Any]:
    """Return (cell text or None for 'use option text', true value or NA)."""
    u = rng.random()
    if u < p_skip:
        return SKIP, pd.NA
    if u < p_skip + p_empty:
        return "", pd.NA
    return None, int(value)


# ----------------------------------------------------------------------------------------
# Instruments
# ----------------------------------------------------------------------------------------
def simulate_households(
    rng: np.random.Generator, codebook: dict[str, Any]
) -> tuple[list[str], list[list[str]], pd.DataFrame]:
    """Simulate the household export.

    Returns the header row, the raw rows (strings as exported) and the TRUE cleaned frame in
    the data contract's layout, which the loader must reproduce exactly.
    """
    cols = _columns(codebook, "households")
    villages = codebook["villages"]
    n = HOUSEHOLDS_PER_VILLAGE * len(villages)

    village = np.repeat([v["code"] for v in villages], HOUSEHOLDS_PER_VILLAGE)
    township = np.repeat([v["township"] for v in villages], HOUSEHOLDS_PER_VILLAGE)
    poor = np.repeat([bool(v["poor_village"]) for v in villages], HOUSEHOLDS_PER_VILLAGE)

    status = np.array([STATUS_CODES[rng.choice(4, p=STATUS_PROBS[bool(p)])] for p in poor])
    marginal = status == "marginal"
    gender = np.where(rng.random(n) < P_MALE_HEAD, "male", "female")
    age = np.clip(np.rint(rng.normal(AGE_MEAN, AGE_SD, n)), *AGE_RANGE).astype(int)
    edu_codes = list(cols["education"]["options"].values())
    education = np.array([edu_codes[i] for i in rng.choice(5, size=n, p=EDUCATION_PROBS)])
    hh_size = np.minimum(1 + rng.poisson(HH_SIZE_EXTRA_MEAN, n), 12)
    labour = rng.binomial(hh_size, LABOUR_SHARE)
    cause_idx = rng.choice(len(CAUSE_CODES), size=n, p=CAUSE_PROBS)
    cause = np.array(
        [None if m else CAUSE_CODES[i] for m, i in zip(marginal, cause_idx, strict=True)],
        dtype=object,
    )

    # latents
    prec_lat = np.array([PRECISION_SHIFT[s] for s in status]) + rng.standard_normal(n)
    share_lat = RHO_SHARING_PRECISION * prec_lat + np.sqrt(
        1 - RHO_SHARING_PRECISION**2
    ) * rng.standard_normal(n)
    prob_lat = RHO_PROBLEMS_PRECISION * prec_lat + np.sqrt(
        1 - RHO_PROBLEMS_PRECISION**2
    ) * rng.standard_normal(n)
    wait_lat = rng.standard_normal(n)

    # incomes
    base = np.where(marginal, INCOME_2014_MEDIAN["marginal"], INCOME_2014_MEDIAN["registered"])
    inc14 = np.rint(base * np.exp(INCOME_2014_LOG_SD * rng.standard_normal(n)) / 10) * 10
    log_growth = (
        np.log([GROWTH_MEDIAN[s] for s in status])
        + GROWTH_LOG_SD * rng.standard_normal(n)
        + WAIT_GROWTH_EFFECT * wait_lat
    )
    inc19 = np.rint(inc14 * np.exp(log_growth) / 10) * 10

    # Likert items
    items: dict[str, np.ndarray] = {}
    for j in range(1, 7):
        items[f"prec_{j}"] = _likert_from_latent(prec_lat, ITEM_LOADING, ITEM_OFFSET["prec"], rng)
    for j in range(1, 6):
        items[f"share_{j}"] = _likert_from_latent(
            share_lat, ITEM_LOADING, ITEM_OFFSET["share"], rng
        )
    for j in range(1, 5):
        items[f"prob_{j}"] = _likert_from_latent(prob_lat, ITEM_LOADING, ITEM_OFFSET["prob"], rng)
    # prob_5 is the reverse-worded item: it falls as the problems latent rises
    items["prob_5"] = _likert_from_latent(-prob_lat, ITEM_LOADING, ITEM_OFFSET["prob"], rng)
    # prob_6: own 'waiting' latent plus the problems latent, cut so that about a quarter agree
    p6_noise = np.sqrt(1 - PROB6_LOADING_PROBLEMS**2 - PROB6_LOADING_WAITING**2)
    p6 = (
        PROB6_LOADING_PROBLEMS * prob_lat
        + PROB6_LOADING_WAITING * wait_lat
        + p6_noise * rng.standard_normal(n)
    )  # about standard normal
    agree_cut = NormalDist().inv_cdf(1 - PROB6_AGREE_SHARE)  # P(p6 > cut) = share agreeing
    p6_cuts = np.array([agree_cut - 1.6, agree_cut - 0.8, agree_cut, agree_cut + 0.9])
    items["prob_6"] = 1 + (p6[:, None] > p6_cuts[None, :]).sum(axis=1)
    sat_lat = (
        SATISFACTION_WEIGHTS["precision"] * prec_lat
        + SATISFACTION_WEIGHTS["sharing"] * share_lat
        + SATISFACTION_WEIGHTS["problems"] * prob_lat
        + SATISFACTION_NOISE_SD * rng.standard_normal(n)
    )
    items["satisfaction"] = 1 + (
        sat_lat[:, None] > (LIKERT_CUTS + SATISFACTION_OFFSET)[None, :]
    ).sum(axis=1)

    # assistance
    flags = list(ASSIST_BASE)
    assist = np.zeros((n, len(flags)), dtype=bool)
    for i in range(n):
        for k, flag in enumerate(flags):
            p = ASSIST_BASE[flag] + ASSIST_CAUSE_BUMP.get((cause[i], flag), 0.0)
            if marginal[i]:
                p *= ASSIST_MARGINAL_FACTOR
            assist[i, k] = rng.random() < p
        if not marginal[i] and not assist[i].any():
            assist[i, flags.index("assist_industry")] = (
                True  # every registered household got something
            )

    # metadata, order of submission
    total = n + N_BLANK_SUBMISSIONS
    stamps = _timestamps(total, rng)
    order = rng.permutation(n)  # households are interviewed in random order across villages
    blank_positions = set(
        rng.choice(np.arange(5, total - 5), size=N_BLANK_SUBMISSIONS, replace=False).tolist()
    )

    header = [c["header"] for c in codebook["files"]["households"]["columns"]]
    assist_spec = cols["assist"]
    flag_text = {v["var"]: text for text, v in assist_spec["options"].items()}
    rows: list[list[str]] = []
    truth: list[dict[str, Any]] = []
    it = iter(order)
    for pos in range(total):
        serial = pos + 1
        stamp = _format_timestamp(stamps[pos])
        if pos in blank_positions:
            rows.append(
                [str(serial), stamp, f"{int(rng.integers(5, 40))}秒", _fake_ip(rng)]
                + [""] * (len(header) - 4)
            )
            continue
        i = next(it)
        rec: dict[str, Any] = {"hh_id": serial}
        duration = f"{int(np.rint(np.exp(rng.normal(np.log(600), 0.35))))}秒"
        row = [str(serial), stamp, duration, _fake_ip(rng)]
        rec.update(
            township=str(township[i]),
            village=str(village[i]),
            poor_village=bool(poor[i]),
            gender=str(gender[i]),
            age=int(age[i]),
            education=str(education[i]),
            hh_size=int(hh_size[i]),
            labour=int(labour[i]),
            status=str(status[i]),
            registered=not marginal[i],
            cause=cause[i] if cause[i] is not None else pd.NA,
            income_2014=float(inc14[i]),
            income_2019=float(inc19[i]),
        )
        row.append(_text_for(cols["township"], rec["township"], codebook))
        row.append(_text_for(cols["village"], rec["village"], codebook))
        row.append(_text_for(cols["gender"], rec["gender"], codebook))
        row.append(f"{rec['age']}岁" if rng.random() < P_AGE_WITH_UNIT else str(rec["age"]))
        row.append(_text_for(cols["education"], rec["education"], codebook))
        row.append(str(rec["hh_size"]))
        row.append(str(rec["labour"]))
        row.append(_text_for(cols["status"], rec["status"], codebook))
        row.append(SKIP if cause[i] is None else _text_for(cols["cause"], cause[i], codebook))
        for var, value in (("income_2014", inc14[i]), ("income_2019", inc19[i])):
            text, typed = _format_income(int(value), rng)
            rec[var] = float(typed)
            row.append(text)
        chosen = [flag_text[f] for k, f in enumerate(flags) if assist[i, k]]
        row.append(MULTI_SEP.join(chosen) if chosen else assist_spec["none_option"])
        for k, f in enumerate(flags):
            rec[f] = bool(assist[i, k])
        likert_vars = (
            [f"prec_{j}" for j in range(1, 7)]
            + [f"share_{j}" for j in range(1, 6)]
            + [f"prob_{j}" for j in range(1, 7)]
            + ["satisfaction"]
        )
        for var in likert_vars:
            cell, value = _maybe_skip_likert(int(items[var][i]), rng, P_LIKERT_SKIP, P_LIKERT_EMPTY)
            rec[var] = value
            row.append(cell if cell is not None else _text_for(cols[var], value, codebook))
        if rng.random() < P_SUGGESTION:
            text = SUGGESTIONS[int(rng.integers(0, len(SUGGESTIONS)))]
        else:
            text = ""
        rec["suggestion"] = text
        row.append(text)
        rows.append(row)
        truth.append(rec)
    return header, rows, _household_frame(truth)


def _household_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """True cleaned household frame with the contract's dtypes."""
    df = pd.DataFrame.from_records(records).sort_values("hh_id").reset_index(drop=True)
    return df


def simulate_staff(
    rng: np.random.Generator, codebook: dict[str, Any]
) -> tuple[list[str], list[list[str]], pd.DataFrame]:
    """Simulate the staff export (header, raw rows, true cleaned frame)."""
    cols = _columns(codebook, "staff")
    roles = np.array([r for r, k in STAFF_ROLE_COUNTS.items() for _ in range(k)])
    roles = roles[rng.permutation(roles.size)]
    n = roles.size
    hours = np.clip(
        np.rint(np.array([HOURS_MEAN[r] for r in roles]) + HOURS_SD * rng.standard_normal(n)),
        *HOURS_RANGE,
    )
    years = np.array([max(0.5, np.round(rng.gamma(*YEARS_GAMMA[r]) * 2) / 2) for r in roles])
    assisted = np.array([rng.poisson(HOUSEHOLDS_ASSISTED_MEAN[r]) for r in roles])
    form_lat = (
        np.array([FORMALISM_ROLE_SHIFT[r] for r in roles])
        + FORMALISM_HOURS_SLOPE * (hours - 48.0) / 8.0
        + rng.standard_normal(n)
    )
    items = {
        "paperwork": _likert_from_latent(form_lat, FORMALISM_LOADING, FORMALISM_OFFSET, rng),
        "inspections": _likert_from_latent(form_lat, FORMALISM_LOADING, FORMALISM_OFFSET, rng),
    }
    for var, (loading, offset) in STAFF_OTHER_ITEMS.items():
        items[var] = _likert_from_latent(form_lat, loading, offset, rng)
    stamps = _timestamps(n, rng)
    header = [c["header"] for c in codebook["files"]["staff"]["columns"]]
    rows: list[list[str]] = []
    truth: list[dict[str, Any]] = []
    for i in range(n):
        rec: dict[str, Any] = {
            "staff_id": i + 1,
            "role": str(roles[i]),
            "years_in_post": float(years[i]),
            "hours_per_week": float(hours[i]),
            "households_assisted": int(assisted[i]),
        }
        duration = f"{int(np.rint(np.exp(rng.normal(np.log(300), 0.4))))}秒"
        row = [
            str(i + 1),
            _format_timestamp(stamps[i]),
            duration,
            _fake_ip(rng),
            _text_for(cols["role"], rec["role"], codebook),
            f"{years[i]:g}",
            f"{int(hours[i])}",
            str(int(assisted[i])),
        ]
        for var in (
            "paperwork",
            "inspections",
            "assessment_fair",
            "training",
            "enough_staff",
            "measures_fit",
            "initiative",
        ):
            cell, value = _maybe_skip_likert(int(items[var][i]), rng, P_STAFF_SKIP, 0.0)
            rec[var] = value
            row.append(cell if cell is not None else _text_for(cols[var], value, codebook))
        comment = (
            STAFF_COMMENTS[int(rng.integers(0, len(STAFF_COMMENTS)))]
            if rng.random() < P_COMMENT
            else ""
        )
        rec["comment"] = comment
        row.append(comment)
        rows.append(row)
        truth.append(rec)
    return header, rows, pd.DataFrame.from_records(truth)


def simulate_interviews(
    rng: np.random.Generator, codebook: dict[str, Any]
) -> tuple[list[str], list[list[str]], pd.DataFrame]:
    """Simulate the interview coding matrix (header, raw rows, true cleaned frame)."""
    cols = _columns(codebook, "interviews")
    header = [c["header"] for c in codebook["files"]["interviews"]["columns"]]
    rows: list[list[str]] = []
    truth: list[dict[str, Any]] = []
    for prefix, role, count in INTERVIEW_GROUPS:
        for k in range(1, count + 1):
            rec: dict[str, Any] = {"interview_id": f"{prefix}{k:02d}", "role": role}
            row = [rec["interview_id"], _text_for(cols["role"], role, codebook)]
            for theme, probs in THEME_PROBS.items():
                present = bool(rng.random() < probs[role])
                rec[theme] = present
                row.append("1" if present else "0")
            rows.append(row)
            truth.append(rec)
    return header, rows, pd.DataFrame.from_records(truth)


def simulate(seed: int = SEED, codebook_path: Path = CODEBOOK_PATH) -> dict[str, dict[str, Any]]:
    """Run all three instruments. Returns ``{name: {"header", "rows", "truth"}}``."""
    codebook = _load_codebook(codebook_path)
    rng_h, rng_s, rng_i = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3))
    out: dict[str, dict[str, Any]] = {}
    for name, func, rng in (
        ("households", simulate_households, rng_h),
        ("staff", simulate_staff, rng_s),
        ("interviews", simulate_interviews, rng_i),
    ):
        header, rows, truth = func(rng, codebook)
        out[name] = {"header": header, "rows": rows, "truth": truth}
    return out


def render_csv(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """CSV text as the platform writes it: CRLF line ends, minimal quoting."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


OUTPUT_ENCODINGS = {  # protocol §2: households UTF-8 with BOM, staff the older GBK export,
    "households": "utf-8-sig",  # interviews plain UTF-8 (the coding matrix the author typed)
    "staff": "gbk",
    "interviews": "utf-8",
}


def write_all(out_dir: Path = DEFAULT_OUT, seed: int = SEED) -> list[Path]:
    """Simulate and write the three CSV files into ``out_dir``; return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, result in simulate(seed).items():
        text = render_csv(result["header"], result["rows"])
        path = out_dir / f"{name}.csv"
        path.write_bytes(text.encode(OUTPUT_ENCODINGS[name]))
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="Write the SIMULATED Lankao survey exports.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument("--seed", type=int, default=SEED, help="master seed (default %(default)s)")
    args = parser.parse_args(argv)
    for path in write_all(args.out, args.seed):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
