"""Pure parsers for hand-typed survey-platform cells.

Every function takes one cell's text and returns a Python value, ``None`` for a missing answer,
or raises :class:`ParseError` with a short rule text. No pandas, no I/O: the loaders decide what
a failure means (an error naming file, row and column).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = [
    "DEFAULT_SKIP_MARKERS",
    "MULTI_SEPARATOR",
    "ParseError",
    "is_missing",
    "normalise_width",
    "parse_duration",
    "parse_flag01",
    "parse_income",
    "parse_integer",
    "parse_likert",
    "parse_multi_select",
    "parse_number",
    "parse_option",
    "parse_timestamp",
    "split_multi_select",
]

DEFAULT_SKIP_MARKERS: tuple[str, ...] = ("(跳过)", "（跳过）")
MULTI_SEPARATOR = "┋"

_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_GROUPED_NUMBER = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_DURATION = re.compile(r"^(?:(\d+)小时)?(?:(\d+)分(?:钟)?)?(?:(\d+)秒)?$")


class ParseError(ValueError):
    """A cell that does not follow its documented rule; ``rule`` says which rule."""

    def __init__(self, value: str, rule: str) -> None:
        super().__init__(f"{value!r}: {rule}")
        self.value = value
        self.rule = rule


def normalise_width(text: str) -> str:
    """Map full-width digits, letters and punctuation to ASCII (Unicode NFKC) and trim.

    Parameters
    ----------
    text : str
        A cell.

    Returns
    -------
    str

    Examples
    --------
    >>> normalise_width(" １２,３ ")
    '12,3'
    """
    return unicodedata.normalize("NFKC", text).strip()


def is_missing(cell: str | None, skip_markers: Iterable[str] = DEFAULT_SKIP_MARKERS) -> bool:
    """True for an unanswered cell: ``None``, empty/whitespace, or a skip marker like ``(跳过)``.

    Parameters
    ----------
    cell : str or None
        A raw cell.
    skip_markers : iterable of str, default :data:`DEFAULT_SKIP_MARKERS`
        Cell texts that mean skipped.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_missing("  "), is_missing("(跳过)"), is_missing("0")
    (True, True, False)
    """
    if cell is None:
        return True
    stripped = cell.strip()
    return stripped == "" or stripped in set(skip_markers)


def _strip_units(text: str, units: Sequence[str]) -> str:
    for unit in sorted(units, key=len, reverse=True):
        if unit and text.endswith(unit):
            return text[: -len(unit)].strip()
    return text


def _to_decimal(text: str, rule: str) -> Decimal:
    compact = text.replace(" ", "")
    if _GROUPED_NUMBER.match(compact):
        compact = compact.replace(",", "")
    if not _PLAIN_NUMBER.match(compact):
        raise ParseError(text, rule)
    try:
        return Decimal(compact)
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards this
        raise ParseError(text, rule) from exc


def parse_income(
    cell: str | None, skip_markers: Iterable[str] = DEFAULT_SKIP_MARKERS
) -> float | None:
    """Parse a hand-typed income in yuan.

    Accepts ``12000``, ``12,000`` (correct thousands grouping only), ``1.2万`` (x 10,000, exact
    decimal arithmetic), full-width ``１２０００`` and a trailing ``元``. A sign is kept so that the
    range rule, not the parser, rejects negative incomes. Returns ``None`` for a missing answer.

    Parameters
    ----------
    cell : str or None
        A raw cell.
    skip_markers : iterable of str, default :data:`DEFAULT_SKIP_MARKERS`
        Cell texts that mean skipped.

    Returns
    -------
    float or None
        Yuan; None when missing.

    Examples
    --------
    >>> parse_income("1.2万"), parse_income("3,850元"), parse_income("")
    (12000.0, 3850.0, None)
    """
    if is_missing(cell, skip_markers):
        return None
    assert cell is not None
    rule = "not a number of yuan (expected e.g. 12000, 12,000, 1.2万)"
    text = normalise_width(cell)
    text = _strip_units(text, ["元"])
    factor = Decimal(1)
    if text.endswith("万"):
        factor = Decimal(10000)
        text = text[:-1].strip()
    value = _to_decimal(text, rule) * factor
    return float(value)


def parse_integer(
    cell: str | None, units: Sequence[str] = (), skip_markers: Iterable[str] = DEFAULT_SKIP_MARKERS
) -> int | None:
    """Parse a typed whole number (full-width digits and a trailing unit such as 岁 allowed).

    Parameters
    ----------
    cell : str or None
        A raw cell.
    units : iterable of str, default ()
        Trailing unit words allowed (e.g. 岁).
    skip_markers : iterable of str, default :data:`DEFAULT_SKIP_MARKERS`
        Cell texts that mean skipped.

    Returns
    -------
    int or None

    Examples
    --------
    >>> parse_integer("４５岁", units=["岁"])
    45
    """
    if is_missing(cell, skip_markers):
        return None
    assert cell is not None
    text = _strip_units(normalise_width(cell), units)
    if not re.fullmatch(r"-?\d+", text):
        raise ParseError(cell, "not a whole number")
    return int(text)


def parse_number(
    cell: str | None, units: Sequence[str] = (), skip_markers: Iterable[str] = DEFAULT_SKIP_MARKERS
) -> float | None:
    """Parse a typed decimal number (full-width digits and a trailing unit allowed).

    Parameters
    ----------
    cell : str or None
        A raw cell.
    units : iterable of str, default ()
        Trailing unit words allowed (e.g. 岁).
    skip_markers : iterable of str, default :data:`DEFAULT_SKIP_MARKERS`
        Cell texts that mean skipped.

    Returns
    -------
    float or None

    Examples
    --------
    >>> parse_number("2.5年", units=["年"])
    2.5
    """
    if is_missing(cell, skip_markers):
        return None
    assert cell is not None
    text = _strip_units(normalise_width(cell), units)
    return float(_to_decimal(text, "not a number"))


def parse_option(
    cell: str | None, options: Mapping[str, Any], skip_markers: Iterable[str] = DEFAULT_SKIP_MARKERS
) -> Any:
    """Map a single-choice option text to its code via ``options`` (exact text after trimming).

    Parameters
    ----------
    cell : str or None
        A raw cell.
    options : mapping
        Option text -> code.
    skip_markers : iterable of str, default :data:`DEFAULT_SKIP_MARKERS`
        Cell texts that mean skipped.

    Returns
    -------
    object
        The code; None when missing.

    Examples
    --------
    >>> parse_option(" 男 ", {"男": "male", "女": "female"})
    'male'
    """
    if is_missing(cell, skip_markers):
        return None
    assert cell is not None
    text = cell.strip()
    if text not in options:
        raise ParseError(cell, "not a listed option (" + " / ".join(map(str, options)) + ")")
    return options[text]


def parse_likert(
    cell: str | None,
    options: Mapping[str, int],
    low: int = 1,
    high: int = 5,
    skip_markers: Iterable[str] = DEFAULT_SKIP_MARKERS,
) -> int | None:
    """Parse a Likert answer: option text (via ``options``) or a bare score ``low``..``high``.

    A bare number outside the range raises ``ParseError`` with an out-of-range rule.

    Parameters
    ----------
    cell : str or None
        A raw cell.
    options : mapping
        Option text -> score.
    low, high : int
        The scale's range.
    skip_markers : iterable of str, default :data:`DEFAULT_SKIP_MARKERS`
        Cell texts that mean skipped.

    Returns
    -------
    int or None

    Examples
    --------
    >>> parse_likert("同意", {"同意": 4}), parse_likert("５", {})
    (4, 5)
    """
    if is_missing(cell, skip_markers):
        return None
    assert cell is not None
    text = cell.strip()
    if text in options:
        return int(options[text])
    number = normalise_width(text)
    if re.fullmatch(r"-?\d+(\.\d+)?", number):
        value = float(number)
        if value.is_integer() and low <= value <= high:
            return int(value)
        raise ParseError(cell, f"Likert score out of range {low}-{high}")
    raise ParseError(
        cell, "not a listed option (" + " / ".join(options) + f") nor a score {low}-{high}"
    )


def split_multi_select(
    cell: str | None,
    separator: str = MULTI_SEPARATOR,
    skip_markers: Iterable[str] = DEFAULT_SKIP_MARKERS,
) -> list[str] | None:
    """Split a multi-select answer on ``┋`` into trimmed option texts (``None`` if missing).

    Parameters
    ----------
    cell : str or None
        A raw cell.
    separator : str, default :data:`MULTI_SEPARATOR`
        The platform's separator.
    skip_markers : iterable of str, default :data:`DEFAULT_SKIP_MARKERS`
        Cell texts that mean skipped.

    Returns
    -------
    list of str or None

    Examples
    --------
    >>> split_multi_select("小额信贷┋ 教育资助")
    ['小额信贷', '教育资助']
    """
    if is_missing(cell, skip_markers):
        return None
    assert cell is not None
    return [part.strip() for part in cell.split(separator)]


def parse_multi_select(
    cell: str | None,
    options: Mapping[str, str],
    none_option: str | None = None,
    separator: str = MULTI_SEPARATOR,
    skip_markers: Iterable[str] = DEFAULT_SKIP_MARKERS,
) -> dict[str, bool] | None:
    """Turn a ``┋``-joined answer into ``{flag_var: bool}`` for every flag in ``options``.

    ``options`` maps option text to flag variable. ``none_option`` ("none of the above") sets all
    flags False and must stand alone. Unknown, empty or repeated parts raise ``ParseError``.

    Parameters
    ----------
    cell : str or None
        A raw cell.
    options : mapping
        Option text -> flag variable.
    none_option : str, optional
        The 'none of the above' text.
    separator : str
        The separator.
    skip_markers : iterable of str, default :data:`DEFAULT_SKIP_MARKERS`
        Cell texts that mean skipped.

    Returns
    -------
    dict of str to bool

    Examples
    --------
    >>> options = {"小额信贷": "assist_microcredit", "教育资助": "assist_education"}
    >>> parse_multi_select("小额信贷", options)
    {'assist_microcredit': True, 'assist_education': False}
    """
    parts = split_multi_select(cell, separator, skip_markers)
    if parts is None:
        return None
    flags = dict.fromkeys(options.values(), False)
    if none_option is not None and none_option in parts:
        if len(parts) > 1:
            raise ParseError(str(cell), f"'{none_option}' combined with other options")
        return flags
    unknown = [p for p in parts if p not in options]
    if unknown:
        raise ParseError(str(cell), "unknown option " + ", ".join(repr(p) for p in unknown))
    if len(set(parts)) != len(parts):
        raise ParseError(str(cell), "option repeated")
    for part in parts:
        flags[options[part]] = True
    return flags


def parse_flag01(
    cell: str | None, skip_markers: Iterable[str] = DEFAULT_SKIP_MARKERS
) -> bool | None:
    """Parse a theme code ``1``/``0`` (full-width accepted) into True/False.

    Parameters
    ----------
    cell : str or None
        A raw cell.
    skip_markers : iterable of str, default :data:`DEFAULT_SKIP_MARKERS`
        Cell texts that mean skipped.

    Returns
    -------
    bool or None

    Examples
    --------
    >>> parse_flag01("１"), parse_flag01("0")
    (True, False)
    """
    if is_missing(cell, skip_markers):
        return None
    assert cell is not None
    text = normalise_width(cell)
    if text not in ("0", "1"):
        raise ParseError(cell, "theme code must be 0 or 1")
    return text == "1"


def parse_duration(cell: str | None) -> int | None:
    """Parse the platform's time-taken cell (``312秒``, also ``5分12秒``) into seconds.

    Parameters
    ----------
    cell : str
        The time-taken cell.

    Returns
    -------
    int
        Seconds.

    Examples
    --------
    >>> parse_duration("5分12秒")
    312
    """
    if is_missing(cell, ()):
        return None
    assert cell is not None
    text = normalise_width(cell).replace(" ", "")
    match = _DURATION.fullmatch(text)
    if not match or not any(match.groups()):
        raise ParseError(cell, "not a duration like '312秒'")
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def parse_timestamp(cell: str | None, fmt: str = "%Y/%m/%d %H:%M:%S") -> dt.datetime | None:
    """Parse the submission time (``2019/7/15 10:23:45``; month/day need no zero padding).

    Parameters
    ----------
    cell : str
        The submission-time cell.
    fmt : str
        The codebook's format.

    Returns
    -------
    datetime.datetime

    Examples
    --------
    >>> parse_timestamp("2019/7/15 10:23:45")
    datetime.datetime(2019, 7, 15, 10, 23, 45)
    """
    if is_missing(cell, ()):
        return None
    assert cell is not None
    try:
        return dt.datetime.strptime(normalise_width(cell), fmt)
    except ValueError as exc:
        raise ParseError(cell, f"not a timestamp like 2019/7/15 10:23:45 ({fmt})") from exc
