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

Statistical symbols are set in italics (*p*, *n*, *W*, *r* ...): :func:`symbols` marks them in
a text, and the result, a :class:`Markup`, is a plain ``str`` (so tests, f-strings and the
CSV files see "p = 0.023") that also gives its Markdown, "*p* = 0.023", through IPython's
``_repr_markdown_``: an inline value or a table header shows it as Quarto shows a
``Markdown`` value. :func:`pval` and :func:`likert_split` return Markup.
"""

from __future__ import annotations

import math
import re
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
    "STATISTICAL_SYMBOLS",
    "Markup",
    "ci",
    "column",
    "count_share",
    "header",
    "headers",
    "integer",
    "likert_split",
    "majority",
    "num",
    "p_cell",
    "pct",
    "pval",
    "ranges",
    "round_half_up",
    "share",
    "span",
    "symbols",
    "table_ranges",
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


STATISTICAL_SYMBOLS = frozenset(
    {"p", "n", "N", "U", "W", "H", "t", "F", "r", "ρ", "χ", "M", "SD", "SE", "d", "V", "κ", "B"}
)
"""The symbols :func:`symbols` sets in italics (χ² is "χ" and a superscript two)."""
# the marks Pandoc's Markdown gives a meaning (quotes stay, so smart quotes still apply)
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~^$@&:;=%])")


def _markdown_text(text: str) -> str:
    """``text`` made literal in Pandoc Markdown: every ASCII punctuation mark escaped."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)


class Markup(str):
    """Text with its statistical symbols in italics when shown as Markdown.

    As a ``str`` it is the plain text; ``_repr_markdown_()`` is the same text, literal, with
    each symbol of ``italic`` (character spans of the text) in emphasis.
    """

    _italic: tuple[tuple[int, int], ...] = ()

    def _repr_markdown_(self) -> str:
        text, out, position = str(self), [], 0
        for start, end in self._italic:
            out += [_markdown_text(text[position:start]), "*", text[start:end], "*"]
            position = end
        return "".join([*out, _markdown_text(text[position:])])


def symbols(text: str, *names: str) -> Markup:
    """``text`` with every whole-word occurrence of the symbols ``names`` in italics:
    ``symbols("p (Holm)", "p")`` shows as "*p* (Holm)". Each name must be one of
    :data:`STATISTICAL_SYMBOLS`."""
    unknown = [n for n in names if n not in STATISTICAL_SYMBOLS]
    if unknown:
        raise ValueError(
            f"not a statistical symbol: {unknown!r}; known: {sorted(STATISTICAL_SYMBOLS)}"
        )
    markup = Markup(text)
    if names:
        pattern = "|".join(sorted(map(re.escape, names), key=len, reverse=True))
        found = re.finditer(rf"(?<![\w\-])(?:{pattern})(?!(?![²³])[\w\-])", text)
        markup._italic = tuple(m.span() for m in found)
    return markup


_HEADER_SYMBOLS = re.compile(
    r"(?<![\w\-'])("
    + "|".join(sorted(map(re.escape, STATISTICAL_SYMBOLS), key=len, reverse=True))
    + r")(?!(?![²³])[\w\-'])"
)


def header(text: str) -> Markup:
    """A table's column header with the statistical symbols that stand as words in italics:
    "n", "p (Holm)", "Rank-biserial r", "Cohen's κ", "Households (n)"."""
    return symbols(text, *dict.fromkeys(m[1] for m in _HEADER_SYMBOLS.finditer(text)))


def headers(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every column header through :func:`header` (the values untouched)."""
    return frame.set_axis([header(str(c)) for c in frame.columns], axis=1)


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
    """``x`` rounded half up to ``digits`` decimals, from its shortest decimal form.

    Parameters
    ----------
    x : float
        The number.
    digits : int, default 0
        Decimals kept (non-negative).

    Returns
    -------
    decimal.Decimal
        The rounded value; a zero keeps no sign.

    Examples
    --------
    >>> round_half_up(2.675, 2), round_half_up(278.5)
    (Decimal('2.68'), Decimal('279'))
    """
    _check_digits(digits)
    value = Decimal(repr(_check_number(x, "x")))
    rounded = value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def num(x: float | None, digits: int = 1) -> str:
    """Number with thousands separators and ``digits`` decimals, rounded half up.

    Parameters
    ----------
    x : float or None
        The number; None, NaN and pd.NA print as :data:`MISSING`.
    digits : int, default 1
        Decimals shown.

    Returns
    -------
    str
        A negative number starts with the minus sign :data:`MINUS`.

    Examples
    --------
    >>> num(1234.55), num(-0.25, 2) == "\u22120.25", num(None)
    ('1,234.6', True, 'n/a')
    """
    _check_digits(digits)
    if x is None or _is_missing(x):
        return MISSING
    text = f"{round_half_up(x, digits):,.{digits}f}"
    return MINUS + text[1:] if text.startswith("-") else text


def integer(x: float | None) -> str:
    """Whole number with thousands separators (rounded half up).

    Parameters
    ----------
    x : float or None
        The number; None, NaN and pd.NA print as :data:`MISSING`.

    Returns
    -------
    str

    Examples
    --------
    >>> integer(77350), integer(278.5)
    ('77,350', '279')
    """
    return num(x, digits=0)


def pct(x: float | None, digits: int = 1) -> str:
    """A value already in percent, with a percent sign.

    Parameters
    ----------
    x : float or None
        The number; None, NaN and pd.NA print as :data:`MISSING`.
    digits : int, default 1
        Decimals shown.

    Returns
    -------
    str

    Examples
    --------
    >>> pct(11.8), pct(2, 0)
    ('11.8%', '2%')
    """
    text = num(x, digits)
    return text if text == MISSING else f"{text}%"


def share(x: float | None, digits: int = 1) -> str:
    """A fraction shown as a percentage.

    Parameters
    ----------
    x : float or None
        The number; None, NaN and pd.NA print as :data:`MISSING`. A fraction 0-1.
    digits : int, default 1
        Decimals shown.

    Returns
    -------
    str

    Examples
    --------
    >>> share(0.25), share(0.4567, 0)
    ('25.0%', '46%')
    """
    if _is_missing(x):
        return MISSING
    return pct(_check_number(x, "x") * 100.0, digits)


def p_cell(p: float | None) -> str:
    """A p-value as a table cell shows it: "< 0.001" below 0.001, otherwise three decimals.

    Raises ValueError for a value outside [0, 1].

    Parameters
    ----------
    p : float or None
        The p-value, in [0, 1].

    Returns
    -------
    str
        The space after "<" is a no-break space (:data:`NBSP`).

    Examples
    --------
    >>> p_cell(0.0234), p_cell(0.0001) == "<\u00a00.001"
    ('0.023', True)
    """
    if _is_missing(p):
        return MISSING
    value = _check_number(p, "p")
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"a p-value must lie in [0, 1], got {value!r}")
    return f"<{NBSP}0.001" if value < 0.001 else num(value, 3)


def pval(p: float | None) -> str:
    """A p-value in APA style: "p < 0.001" below 0.001, otherwise "p = 0.023".

    Parameters
    ----------
    p : float or None
        The p-value, in [0, 1].

    Returns
    -------
    str
        The spaces are no-break spaces (:data:`NBSP`), so the statement never breaks across
        lines.

    Examples
    --------
    >>> pval(0.0234) == "p\u00a0=\u00a00.023"
    True
    """
    cell = p_cell(p)
    if cell == MISSING:
        return MISSING
    return symbols(f"p{NBSP}{cell}" if cell.startswith("<") else f"p{NBSP}={NBSP}{cell}", "p")


def span(lo: float | None, hi: float | None, digits: int = 0) -> str:
    """A range of numbers with an en dash.

    Parameters
    ----------
    lo, hi : float or None
        The bounds (``lo <= hi``).
    digits : int, default 0
        Decimals shown.

    Returns
    -------
    str
        E.g. "3,850–4,030".

    Examples
    --------
    >>> span(3850, 4030) == "3,850\u20134,030"
    True
    """
    if _is_missing(lo) or _is_missing(hi):
        return MISSING
    if _check_number(lo, "lo") > _check_number(hi, "hi"):
        raise ValueError(f"range bounds are reversed: lo={lo!r} > hi={hi!r}")
    return f"{num(lo, digits)}{EN_DASH}{num(hi, digits)}"


def year_span(first: int, last: int) -> str:
    """A range of years with an en dash and no separators.

    Parameters
    ----------
    first, last : int
        Whole years, ``first <= last``.

    Returns
    -------
    str

    Examples
    --------
    >>> year_span(2017, 2019) == "2017\u20132019"
    True
    """
    for name, value in (("first", first), ("last", last)):
        if isinstance(value, bool) or not isinstance(value, Real) or float(value) % 1:
            raise TypeError(f"{name} must be a whole year, got {value!r}")
    if first > last:
        raise ValueError(f"years are reversed: {first!r} > {last!r}")
    return f"{int(first)}{EN_DASH}{int(last)}"


_RANGE = re.compile(
    r"(?<![\w./\-\u2013])((?:19|20)\d\d|\d{1,2})-((?:19|20)\d\d|\d{1,2})(?![\w/\-\u2013]|\.\d)"
)
"""Two years or two small numbers joined by a hyphen, not inside a date, URL, code or number."""


def ranges(text: str) -> str:
    """``text`` with its hyphenated ranges set with an en dash: "exited 2017-2019" -> en dash.

    A range is two years (19xx/20xx) or two numbers of one or two digits joined by a hyphen
    ("1-5", "aged 16-64"); dates such as "2017-03-28", paths such as "2013-02/27", codes such as
    "A1-B2" and negative numbers are left alone, so text from the data can pass through.

    Parameters
    ----------
    text : str
        A label, heading or cell.

    Returns
    -------
    str
        The same text, each range's hyphen replaced by :data:`EN_DASH`.

    Examples
    --------
    >>> ranges("exited 2017-2019") == "exited 2017\u20132019"
    True
    >>> ranges("agree (4-5)") == "agree (4\u20135)"
    True
    >>> ranges("Xinhua, 2017-03-28")
    'Xinhua, 2017-03-28'
    """
    return _RANGE.sub(lambda m: f"{m[1]}{EN_DASH}{m[2]}", text)


def table_ranges(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with :func:`ranges` applied to its column names and to every text cell.

    Parameters
    ----------
    frame : pandas.DataFrame
        A display table (cells already formatted as text).

    Returns
    -------
    pandas.DataFrame
        A new frame with a RangeIndex; numeric columns are left as they are.

    Examples
    --------
    >>> table = table_ranges(pd.DataFrame({"Status 2017-2019": ["exited 2017-2019"]}))
    >>> table.columns[0] == "Status 2017\u20132019", table.iloc[0, 0] == "exited 2017\u20132019"
    (True, True)
    """
    out = frame.reset_index(drop=True).rename(columns=ranges)
    for name in out.columns:
        if not pd.api.types.is_numeric_dtype(out[name]):
            out[name] = [ranges(v) if isinstance(v, str) else v for v in out[name]]
    return out


def column(values: Iterable[object], digits: int) -> list[str]:
    """One table column as text, every number with the same ``digits`` decimals.

    Parameters
    ----------
    values : iterable
        Numbers or missing values.
    digits : int
        Decimals of every cell; whole-number statistics (counts, W, U) take 0.

    Returns
    -------
    list of str
        Thousands separators and the minus sign as in :func:`num`; missing values are
        :data:`MISSING`.

    Examples
    --------
    >>> column([2.0, 1.856, None], 2)
    ['2.00', '1.86', 'n/a']
    """
    return [num(v, digits) for v in values]  # type: ignore[arg-type]


def yuan(x: float | None) -> str:
    """An amount in yuan, rounded to whole yuan.

    Parameters
    ----------
    x : float or None
        The number; None, NaN and pd.NA print as :data:`MISSING`. Yuan.

    Returns
    -------
    str

    Examples
    --------
    >>> yuan(9943.4)
    '9,943 yuan'
    """
    text = integer(x)
    return text if text == MISSING else f"{text} yuan"


def ci(lo: float | None, hi: float | None, digits: int = 2) -> str:
    """A confidence interval in square brackets.

    Parameters
    ----------
    lo, hi : float or None
        The bounds (``lo <= hi``).
    digits : int, default 2
        Decimals shown.

    Returns
    -------
    str

    Examples
    --------
    >>> ci(0.71, 0.8)
    '[0.71, 0.80]'
    """
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
    """``k`` of ``n`` with its share; below :data:`SMALL_N` cases, the count only.

    Parameters
    ----------
    k, n : int
        Whole numbers, 0 <= k <= n, n > 0.
    digits : int, default 1
        Decimals of the percentage.

    Returns
    -------
    str

    Examples
    --------
    >>> count_share(145, 320), count_share(7, 8)
    ('145 of 320 (45.3%)', '7 of 8')
    """
    k, n = _check_count(k, n)
    if n < SMALL_N:
        return f"{integer(k)} of {integer(n)}"
    return f"{integer(k)} of {integer(n)} ({share(k / n, digits)})"


def majority(k: int, n: int) -> str:
    """ "a majority" if k > n/2, "exactly half" if k = n/2, otherwise "a minority".

    Parameters
    ----------
    k, n : int
        Whole numbers, 0 <= k <= n, n > 0.

    Returns
    -------
    str

    Examples
    --------
    >>> majority(5, 8), majority(4, 8), majority(3, 8)
    ('a majority', 'exactly half', 'a minority')
    """
    k, n = _check_count(k, n)
    if 2 * k > n:
        return "a majority"
    return "exactly half" if 2 * k == n else "a minority"


def likert_split(answers: Iterable[object], digits: int = 1) -> str:
    """Agree (4-5), neutral (3) and disagree (1-2) shares of five-point answers, together.

    Parameters
    ----------
    answers : iterable
        Answers 1-5; missing ones are left out.
    digits : int, default 1
        Decimals of the percentages.

    Returns
    -------
    str
        Shares of the ``n`` answered; below :data:`SMALL_N` answers, counts.

    Examples
    --------
    >>> likert_split([5, 4, 3, 1, None])
    '2 of 4 agreed, 1 of 4 were neutral and 1 of 4 disagreed (n = 4)'
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
    text = f"{parts[0]} agreed, {parts[1]} were neutral and {parts[2]} disagreed (n = {n})"
    return symbols(text, "n")
