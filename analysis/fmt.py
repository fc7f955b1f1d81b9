"""Format numbers for inline use in the prose (``{python} fmt.pct(x)``).

Every function returns a string. Missing values (None, NaN, pd.NA) become ``"n/a"`` so that a
gap in the data shows up visibly in the text instead of as ``"nan%"``.
"""

from __future__ import annotations

import math
from numbers import Real

import pandas as pd

__all__ = ["MISSING", "ci", "integer", "num", "pct", "pval", "share", "yuan"]

MISSING = "n/a"
"""What a missing value is printed as."""


def _is_missing(x: object) -> bool:
    return x is None or x is pd.NA or (isinstance(x, Real) and math.isnan(float(x)))


def _check_number(x: object, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, Real):
        raise TypeError(f"{name} must be a real number, got {x!r} ({type(x).__name__})")
    return float(x)


def _check_digits(digits: int) -> None:
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 0:
        raise ValueError(f"digits must be a non-negative integer, got {digits!r}")


def num(x: float | None, digits: int = 1) -> str:
    """Number with thousands separators and ``digits`` decimals: 1234.5 -> "1,234.5"."""
    _check_digits(digits)
    if _is_missing(x):
        return MISSING
    return f"{_check_number(x, 'x'):,.{digits}f}"


def integer(x: float | None) -> str:
    """Whole number with thousands separators (rounded half to even): 77350 -> "77,350"."""
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


def pval(p: float | None) -> str:
    """A p-value in APA style: "p < 0.001" below 0.001, otherwise "p = 0.023" (3 decimals)."""
    if _is_missing(p):
        return MISSING
    value = _check_number(p, "p")
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"a p-value must lie in [0, 1], got {value!r}")
    if value < 0.001:
        return "p < 0.001"
    return f"p = {value:.3f}"


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
