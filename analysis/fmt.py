"""Format numbers for inline use in the prose (``{python} fmt.pct(x)``).

Every function returns a string. Missing values (None, NaN, pd.NA) become ``"n/a"`` so that a
gap in the data shows up visibly in the text instead of as ``"nan%"``.

One rounding rule everywhere: conventional half-up (a tie goes away from zero), applied to
the shortest decimal form of the number (``repr``), so 278.5 -> "279" and 2.675 -> "2.68" as a
reader rounding the printed digits would expect; Python's own formatting would give "278"
(half to even) and "2.67" (binary representation). A value that rounds to zero loses its sign.

Sentences that state a direction or a majority take their words from the numbers:
:func:`majority` says "a majority" only when more than half, and :func:`count_share` prints
small groups as counts ("7 of 8") rather than as percentages.

One number style in both editions: a negative number takes the true minus sign (U+2212,
:data:`MINUS`), a range an en dash (:func:`span`, :func:`year_span`), and "p < 0.001" is held
together by non-breaking spaces (:data:`NBSP`) so that a line cannot end inside it. Table
columns share one number of decimals (:func:`column`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from numbers import Real
from typing import SupportsInt

import pandas as pd

__all__ = [
    "EN_DASH",
    "MINUS",
    "MISSING",
    "NBSP",
    "SMALL_N",
    "ci",
    "column",
    "count_share",
    "integer",
    "likert_split",
    "majority",
    "num",
    "p_cell",
    "pct",
    "pval",
    "round_half_up",
    "share",
    "span",
    "year_span",
    "yuan",
]

MISSING = "n/a"
"""What a missing value is printed as."""
SMALL_N = 20
"""Below this many cases a share is printed as a count only ("7 of 8"), never as a percentage."""
MINUS = "\u2212"
"""The minus sign of a negative number (not the hyphen-minus)."""
NBSP = "\u00a0"
"""The no-break space inside "p < 0.001"."""
EN_DASH = "\u2013"


def _is_missing(x: object) -> bool:
    return x is None or x is pd.NA or (isinstance(x, Real) and math.isnan(float(x)))


def _check_number(x: object, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, Real):
        raise TypeError(f"{name} must be a real number, got {x!r} ({type(x).__name__})")
    return float(x)


def _check_digits(digits: int) -> None:
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 0:
        raise ValueError(f"digits must be a non-negative integer, got {digits!r}")


def round_half_up(x: float, digits: int = 0) -> Decimal:
    """``x`` rounded half up to ``digits`` decimals, from its shortest decimal form."""
    _check_digits(digits)
    value = Decimal(repr(_check_number(x, "x")))
    rounded = value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def num(x: float | None, digits: int = 1) -> str:
    """Number with thousands separators and ``digits`` decimals, half up: 1234.55 -> "1,234.6".

    A negative number starts with the minus sign :data:`MINUS`: -0.25 -> "\u22120.25".
    """
    _check_digits(digits)
    if x is None or _is_missing(x):
        return MISSING
    text = f"{round_half_up(x, digits):,.{digits}f}"
    return MINUS + text[1:] if text.startswith("-") else text


def integer(x: float | None) -> str:
    """Whole number with thousands separators (rounded half up): 77350 -> "77,350"."""
    return num(x, digits=0)


def pct(x: float | None, digits: int = 1) -> str:
    """A value already in percent: 11.8 -> "11.8%"."""
    text = num(x, digits)
    return text if text == MISSING else f"{text}%"


def share(x: float | None, digits: int = 1) -> str:
    """A fraction shown as a percentage: 0.25 -> "25.0%"."""
    if _is_missing(x):
        return MISSING
    return pct(_check_number(x, "x") * 100.0, digits)


def p_cell(p: float | None) -> str:
    """A p-value as a table cell shows it: "<\u00a00.001" below 0.001, otherwise "0.023"."""
    if _is_missing(p):
        return MISSING
    value = _check_number(p, "p")
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"a p-value must lie in [0, 1], got {value!r}")
    return f"<{NBSP}0.001" if value < 0.001 else num(value, 3)


def pval(p: float | None) -> str:
    """A p-value in APA style: "p < 0.001" below 0.001, otherwise "p = 0.023" (3 decimals).

    The spaces are no-break spaces (:data:`NBSP`), so the statement never breaks across lines.
    """
    cell = p_cell(p)
    if cell == MISSING:
        return MISSING
    return f"p{NBSP}{cell}" if cell.startswith("<") else f"p{NBSP}={NBSP}{cell}"


def span(lo: float | None, hi: float | None, digits: int = 0) -> str:
    """A range of numbers with an en dash: (3850, 4030) -> "3,850\u20134,030"."""
    if _is_missing(lo) or _is_missing(hi):
        return MISSING
    if _check_number(lo, "lo") > _check_number(hi, "hi"):
        raise ValueError(f"range bounds are reversed: lo={lo!r} > hi={hi!r}")
    return f"{num(lo, digits)}{EN_DASH}{num(hi, digits)}"


def year_span(first: int, last: int) -> str:
    """A range of years with an en dash and no separators: (2017, 2019) -> "2017\u20132019"."""
    for name, value in (("first", first), ("last", last)):
        if isinstance(value, bool) or not isinstance(value, Real) or float(value) % 1:
            raise TypeError(f"{name} must be a whole year, got {value!r}")
    if first > last:
        raise ValueError(f"years are reversed: {first!r} > {last!r}")
    return f"{int(first)}{EN_DASH}{int(last)}"


def column(values: Iterable[object], digits: int) -> list[str]:
    """One table column as text, every number with the same ``digits`` decimals.

    Thousands separators and the minus sign as in :func:`num`; missing values are
    :data:`MISSING`. Whole-number statistics (counts, W, U) take ``digits=0``.
    """
    return [num(v, digits) for v in values]  # type: ignore[arg-type]


def yuan(x: float | None) -> str:
    """An amount in yuan, rounded to whole yuan: 9943 -> "9,943 yuan"."""
    text = integer(x)
    return text if text == MISSING else f"{text} yuan"


def ci(lo: float | None, hi: float | None, digits: int = 2) -> str:
    """A confidence interval: (0.71, 0.80) -> "[0.71, 0.80]"."""
    if _is_missing(lo) or _is_missing(hi):
        return MISSING
    if _check_number(lo, "lo") > _check_number(hi, "hi"):
        raise ValueError(f"interval bounds are reversed: lo={lo!r} > hi={hi!r}")
    return f"[{num(lo, digits)}, {num(hi, digits)}]"


def _check_count(k: object, n: object) -> tuple[int, int]:
    whole = []
    for name, value in (("k", k), ("n", n)):
        if (
            isinstance(value, bool)
            or not isinstance(value, Real)
            or not isinstance(value, SupportsInt)  # every Real does; says so to the checker
            or float(value) % 1
        ):
            raise TypeError(f"{name} must be a whole number, got {value!r}")
        whole.append(int(value))
    count, total = whole
    if total <= 0 or not 0 <= count <= total:
        raise ValueError(f"a count needs 0 <= k <= n and n > 0, got k={count}, n={total}")
    return count, total


def count_share(k: int, n: int, digits: int = 1) -> str:
    """``k`` of ``n`` with its share: "145 of 320 (45.3%)"; below :data:`SMALL_N`, "7 of 8"."""
    k, n = _check_count(k, n)
    if n < SMALL_N:
        return f"{integer(k)} of {integer(n)}"
    return f"{integer(k)} of {integer(n)} ({share(k / n, digits)})"


def majority(k: int, n: int) -> str:
    """ "a majority" if k > n/2, "exactly half" if k = n/2, otherwise "a minority"."""
    k, n = _check_count(k, n)
    if 2 * k > n:
        return "a majority"
    return "exactly half" if 2 * k == n else "a minority"


def likert_split(answers: Iterable[object], digits: int = 1) -> str:
    """Agree (4-5), neutral (3) and disagree (1-2) shares of five-point answers, together.

    Missing answers are left out; ``n`` is the number answered: "56.5% agreed, 20.0% were
    neutral and 23.5% disagreed (n = 85)". Below :data:`SMALL_N` answers, counts are given.
    """
    values = [float(a) for a in answers if not _is_missing(a)]  # type: ignore[arg-type]
    if not values:
        return MISSING
    if any(v not in (1, 2, 3, 4, 5) for v in values):
        raise ValueError("likert_split: answers must be 1-5")
    n = len(values)
    counts = (
        sum(v >= 4 for v in values),
        sum(v == 3 for v in values),
        sum(v <= 2 for v in values),
    )
    if n < SMALL_N:
        parts = [f"{integer(c)} of {integer(n)}" for c in counts]
    else:
        parts = [share(c / n, digits) for c in counts]
    return f"{parts[0]} agreed, {parts[1]} were neutral and {parts[2]} disagreed (n = {n})"
