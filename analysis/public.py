"""Verified public statistics on poverty in China, Henan and Lankao (``data/raw/public/``).

Only values that a source states are returned; each keeps its ``source_id`` (which can list several
ids separated by ``;``, see ``sources.csv``). Values computed here from stated ones are marked by a
``*_derived`` column or field. Nothing is filled in: a value the sources do not state stays missing,
and the exit-criteria check reports "not reported" for it.

Every function takes ``data_dir`` (default ``analysis.paths.RAW_PUBLIC``) so that tests can point
it at another copy of the files.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis import paths

__all__ = [
    "NOT_REPORTED",
    "PovertyReduction",
    "exit_criteria_check",
    "exit_criteria_counts",
    "implied_incidence",
    "indicators",
    "lankao_discrepancies",
    "lankao_facts",
    "national_poverty",
    "poor_area_income",
    "poverty_reduction",
    "reduction_summary",
    "regional_poor",
    "source_label",
    "sources",
    "sources_note",
    "stated_dates",
    "stated_text",
    "stated_values",
    "stating_ids",
    "value",
]

NOT_REPORTED = "not reported"
"""Marker used where the sources state no value."""

_TABLE_FILES = {
    "national": "national_indicators.csv",
    "henan": "henan_poverty.csv",
    "lankao": "lankao_indicators.csv",
}
_LONG_COLUMNS = ["indicator", "year", "value", "unit", "source_id"]
_SOURCE_COLUMNS = ["source_id", "publisher", "title", "url", "published", "quote"]
_SOURCE_ID = re.compile(r"^[A-Z]\d{2}[a-z]?$")
REGIONS = ("east", "central", "west")


# --------------------------------------------------------------------------------------------
# Reading and validation
# --------------------------------------------------------------------------------------------


def _dir(data_dir: Path | str | None) -> Path:
    return paths.RAW_PUBLIC if data_dir is None else Path(data_dir)


def _file_bytes(path: Path) -> bytes:
    if not path.is_file():
        raise FileNotFoundError(f"public data file not found: {path}")
    return path.read_bytes()


def _read_text_csv(path: Path, columns: list[str], data: bytes) -> pd.DataFrame:
    """Parse a CSV's bytes with every cell as text (no NA guessing) and check its header."""
    frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8")
    if list(frame.columns) != columns:
        raise ValueError(f"{path}: expected columns {columns}, found {list(frame.columns)}")
    return frame


# Validated tables by (function, path, SHA-256 of each file read). The prose asks for one
# stated value at a time, a chapter for hundreds; parsing and checking the same few files
# each time was most of a chapter's run. Files are still read (and hashed) on every call, so
# an edited file is never served stale and every call still opens what it depends on.
_MEMO: dict[tuple[str, ...], Any] = {}


def _memo(key: tuple[str, ...], make: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """A copy of `make()`, computed once per key (callers may change what they get)."""
    frame = _MEMO.get(key)
    if frame is None:
        frame = _MEMO[key] = make()
    return frame.copy()


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _where(path: Path, index: int, column: str) -> str:
    # +2: one for the header line, one because file rows are counted from 1.
    return f"{path.name}, row {index + 2}, column {column!r}"


def _parse_year(path: Path, frame: pd.DataFrame, *, allow_empty: bool) -> pd.Series:
    years: list[object] = []
    for i, text in enumerate(frame["year"]):
        if text == "":
            if not allow_empty:
                raise ValueError(f"{_where(path, i, 'year')}: year is empty")
            years.append(pd.NA)
        elif re.fullmatch(r"(19|20)\d{2}", text):
            years.append(int(text))
        else:
            raise ValueError(f"{_where(path, i, 'year')}: not a year: {text!r}")
    return pd.Series(years, index=frame.index, dtype="Int64")


def _parse_float(path: Path, frame: pd.DataFrame, column: str, *, allow_empty: bool) -> pd.Series:
    out: list[float] = []
    for i, text in enumerate(frame[column]):
        if text == "" and allow_empty:
            out.append(np.nan)
            continue
        try:
            out.append(float(text))
        except ValueError:
            raise ValueError(f"{_where(path, i, column)}: not a number: {text!r}") from None
    return pd.Series(out, index=frame.index, dtype="float64")


def _check_source_ids(path: Path, frame: pd.DataFrame, known: set[str] | None) -> None:
    for i, cell in enumerate(frame["source_id"]):
        ids = cell.split(";")
        for sid in ids:
            if not _SOURCE_ID.match(sid):
                raise ValueError(f"{_where(path, i, 'source_id')}: malformed source id {sid!r}")
            if known is not None and sid not in known:
                raise ValueError(f"{_where(path, i, 'source_id')}: unknown source id {sid!r}")


def sources(data_dir: Path | str | None = None) -> pd.DataFrame:
    """All sources: ``source_id, publisher, title, url, published, quote`` (one row per id).

    Parameters
    ----------
    data_dir : path, optional
        Another copy of ``data/raw/public`` (tests); ``analysis.paths.RAW_PUBLIC`` by default.

    Returns
    -------
    pandas.DataFrame
        One row per source id, all columns text.

    Examples
    --------
    >>> list(sources().columns)
    ['source_id', 'publisher', 'title', 'url', 'published', 'quote']
    """
    path = _dir(data_dir) / "sources.csv"
    data = _file_bytes(path)
    return _memo(("sources", str(path), _digest(data)), lambda: _checked_sources(path, data))


def _checked_sources(path: Path, data: bytes) -> pd.DataFrame:
    frame = _read_text_csv(path, _SOURCE_COLUMNS, data)
    for i, sid in enumerate(frame["source_id"]):
        if not _SOURCE_ID.match(sid):
            raise ValueError(f"{_where(path, i, 'source_id')}: malformed source id {sid!r}")
    duplicated = frame["source_id"].duplicated()
    if duplicated.any():
        i = int(np.flatnonzero(duplicated.to_numpy())[0])
        raise ValueError(
            f"{_where(path, i, 'source_id')}: duplicate id {frame.at[i, 'source_id']!r}"
        )
    return frame


def _known_ids(data_dir: Path | str | None) -> set[str]:
    return set(sources(data_dir)["source_id"])


def _numeric_value(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return np.nan


def indicators(table: str, data_dir: Path | str | None = None) -> pd.DataFrame:
    """One long indicator table: ``table`` is "national", "henan" or "lankao".

    Returns
    -------
    DataFrame with columns ``indicator``, ``year`` (Int64, missing where the source gives no
    year), ``value`` (float; NaN where the stated value is not a number, e.g. a date or a band
    such as "3-5"), ``value_text`` (the value exactly as stated), ``unit``, ``lower_bound`` (True
    where the unit says the source gives a lower bound, "more than"), ``source_id``.

    Parameters
    ----------
    table : {"national", "henan", "lankao"}
        The indicator table.
    data_dir : path, optional
        Another copy of ``data/raw/public`` (tests); ``analysis.paths.RAW_PUBLIC`` by default.

    Examples
    --------
    >>> indicators("lankao")["indicator"].iloc[0]
    'total_population'
    """
    if table not in _TABLE_FILES:
        raise ValueError(f"table must be one of {sorted(_TABLE_FILES)}, got {table!r}")
    path = _dir(data_dir) / _TABLE_FILES[table]
    data = _file_bytes(path)
    known = _dir(data_dir) / "sources.csv"
    key = ("indicators", table, str(path), _digest(data), _digest(_file_bytes(known)))
    return _memo(key, lambda: _checked_indicators(table, path, data, data_dir))


def _checked_indicators(
    table: str, path: Path, data: bytes, data_dir: Path | str | None
) -> pd.DataFrame:
    raw = _read_text_csv(path, _LONG_COLUMNS, data)
    for column in ("indicator", "value", "unit"):
        empty = raw[column] == ""
        if empty.any():
            i = int(np.flatnonzero(empty.to_numpy())[0])
            raise ValueError(f"{_where(path, i, column)}: empty cell")
    _check_source_ids(path, raw, _known_ids(data_dir))
    return pd.DataFrame(
        {
            "indicator": raw["indicator"],
            "year": _parse_year(path, raw, allow_empty=table == "lankao"),
            "value": raw["value"].map(_numeric_value).astype("float64"),
            "value_text": raw["value"],
            "unit": raw["unit"],
            "lower_bound": raw["unit"].str.contains("lower bound", regex=False),
            "source_id": raw["source_id"],
        }
    )


def value(
    table: str, indicator: str, year: int | None = None, data_dir: Path | str | None = None
) -> float:
    """The single stated numeric value of ``indicator`` (in ``year``) in ``table``.

    Raises KeyError naming table, indicator and year when no row or more than one row matches,
    and ValueError when the stated value is not a number (a date or a band).

    Parameters
    ----------
    table : {"national", "henan", "lankao"}
        The indicator table.
    indicator : str
        The indicator name.
    year : int, optional
        The year, when the indicator is stated for several.
    data_dir : path, optional
        Another copy of ``data/raw/public`` (tests); ``analysis.paths.RAW_PUBLIC`` by default.

    Returns
    -------
    float
        In the unit of the table's ``unit`` column.

    Examples
    --------
    >>> value("lankao", "rural_population") > 500_000
    True
    """
    rows = _rows(table, indicator, year, data_dir)
    where = f"table={table!r}, indicator={indicator!r}, year={year!r}"
    result = float(rows["value"].iloc[0])
    if np.isnan(result):
        raise ValueError(
            f"stated value for {where} is not a number: {rows['value_text'].iloc[0]!r}"
        )
    return result


def stated_values(
    table: str, indicator: str, year: int | None = None, data_dir: Path | str | None = None
) -> dict[str, float]:
    """Every stated value of ``indicator`` (in ``year``), keyed by the source that states it.

    Where sources disagree the thesis lists every value; this is the one place that collects
    them.

    Parameters
    ----------
    table : {"national", "henan", "lankao"}
        The indicator table (:func:`indicators`).
    indicator : str
        The indicator name, e.g. ``"poverty_incidence"``.
    year : int, optional
        Only values for this year; all years when omitted.
    data_dir : path, optional
        Another copy of ``data/raw/public`` (tests).

    Returns
    -------
    dict of str to float
        ``source_id`` -> stated value, in file order (unit as in the table, e.g. percent or
        persons). Empty when no source states the indicator.

    Raises
    ------
    KeyError
        When one source states the indicator twice for the selection, naming both.

    Examples
    --------
    >>> incidence = stated_values("lankao", "poverty_incidence", 2014)
    >>> sorted(incidence) == ["S18", "S19"], all(v > 2 for v in incidence.values())
    (True, True)
    """
    frame = indicators(table, data_dir)
    rows = frame[frame["indicator"] == indicator]
    if year is not None:
        rows = rows[rows["year"] == year]
    out: dict[str, float] = {}
    for source_id, stated in zip(rows["source_id"], rows["value"], strict=True):
        if source_id in out:
            raise KeyError(
                f"{_TABLE_FILES[table]}: source {source_id} states {indicator!r}"
                f"{'' if year is None else f' for {year}'} twice"
            )
        out[str(source_id)] = float(stated)
    return out


def implied_incidence(data_dir: Path | str | None = None) -> dict[str, float]:
    """Lankao's 2014 poverty incidence implied by each stated count of registered poor people.

    Parameters
    ----------
    data_dir : path, optional
        Another copy of ``data/raw/public`` (tests).

    Returns
    -------
    dict of str to float
        ``source_id`` of the count -> 100 x count / rural population (percent of the rural
        population; the rural population is the table's single stated value).

    Examples
    --------
    >>> shares = implied_incidence()
    >>> all(0 < v < 100 for v in shares.values())
    True
    """
    rural = value("lankao", "rural_population", data_dir=data_dir)
    counts = stated_values("lankao", "poor_population_registered", data_dir=data_dir)
    return {source: 100 * count / rural for source, count in counts.items()}


def stated_text(
    table: str, indicator: str, year: int | None = None, data_dir: Path | str | None = None
) -> str:
    """The single stated value of ``indicator`` exactly as the source gives it (e.g. a band).

    Parameters
    ----------
    table : {"national", "henan", "lankao"}
        The indicator table (:func:`indicators`).
    indicator : str
        The indicator name.
    year : int, optional
        The year, when the indicator is stated for several.
    data_dir : path, optional
        Another copy of ``data/raw/public`` (tests).

    Returns
    -------
    str
        The ``value_text`` cell, unchanged.

    Raises
    ------
    KeyError
        When no row or more than one row matches.

    Examples
    --------
    >>> stated_text("lankao", "exit_confirmed_by_State_Council_LGOP")[:4]
    '2017'
    """
    rows = _rows(table, indicator, year, data_dir)
    return str(rows["value_text"].iloc[0])


def stated_dates(table: str, data_dir: Path | str | None = None) -> dict[str, str]:
    """Every indicator of ``table`` whose unit is a date, as "27 March 2017".

    Parameters
    ----------
    table : {"national", "henan", "lankao"}
        The indicator table (:func:`indicators`).
    data_dir : path, optional
        Another copy of ``data/raw/public`` (tests).

    Returns
    -------
    dict of str to str
        Indicator -> day (without a leading zero), month name and year.

    Examples
    --------
    >>> stated_dates("lankao")["exit_confirmed_by_State_Council_LGOP"].endswith("2017")
    True
    """
    frame = indicators(table, data_dir)
    dated = frame[frame["unit"].str.startswith("date")]
    return {
        str(indicator): pd.Timestamp(text).strftime("%d %B %Y").lstrip("0")
        for indicator, text in zip(dated["indicator"], dated["value_text"], strict=True)
    }


def _rows(
    table: str, indicator: str, year: int | None, data_dir: Path | str | None
) -> pd.DataFrame:
    """The single row of ``indicator`` (in ``year``); KeyError when none or several."""
    frame = indicators(table, data_dir)
    rows = frame[frame["indicator"] == indicator]
    if year is not None:
        rows = rows[rows["year"] == year]
    where = f"table={table!r}, indicator={indicator!r}, year={year!r}"
    if rows.empty:
        raise KeyError(f"no stated value for {where}")
    if len(rows) > 1:
        ids = ", ".join(rows["source_id"])
        raise KeyError(f"ambiguous: {len(rows)} stated values for {where} (sources {ids})")
    return rows


def source_label(source_id: str, data_dir: Path | str | None = None) -> str:
    """Short citation label "outlet, date" for one id or several ids joined by ``;``.

    The outlet is the ``publisher`` field up to its first note (parenthesis or comma) and the
    date the ``published`` field up to its first note, e.g. S18 gives "Xinhua, 2017-03-28".
    The full publisher, title and URL stay in `sources()`.

    Parameters
    ----------
    source_id : str
        One id, or several joined by ``;``.
    data_dir : path, optional
        Another copy of ``data/raw/public`` (tests); ``analysis.paths.RAW_PUBLIC`` by default.

    Returns
    -------
    str

    Examples
    --------
    >>> source_label("S18")
    'Xinhua, 2017-03-28'
    """
    return _label(sources(data_dir).set_index("source_id"), source_id)


def _label(table: pd.DataFrame, source_id: str) -> str:
    labels = []
    for sid in str(source_id).split(";"):
        if sid not in table.index:
            raise KeyError(f"unknown source id {sid!r} (see sources.csv)")
        published = table.at[sid, "published"].split(" (")[0]
        outlet = re.split(r" \(|, ", str(table.at[sid, "publisher"]))[0]
        labels.append(f"{outlet}, {published}")
    return "; ".join(labels)


_SCALES = {"万": 1e4, "萬": 1e4, "亿": 1e8, "億": 1e8}
_NUMERAL_WORDS = {"十多万": 1e5, "十多萬": 1e5, "一亿": 1e8, "一億": 1e8}
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _quoted_numbers(text: str) -> set[float]:
    """Numbers a quote states, each as written and with its unit (万, 亿, million) applied."""
    found: set[float] = set()
    for match in re.finditer(r"(\d[\d,]*(?:\.\d+)?)\s*(万|萬|亿|億|[Mm]illion)?", text):
        number = float(match.group(1).replace(",", ""))
        unit = match.group(2)
        found |= {number, round(number * _SCALES.get(unit, 1e6 if unit else 1.0), 6)}
    return found | {v for word, v in _NUMERAL_WORDS.items() if word in text}


def _states(text: str, value_text: str, unit: str) -> bool:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value_text):
        _, month, day = map(int, value_text.split("-"))
        return bool(re.search(rf"(?<!\d){day}日", text)) or f"{_MONTHS[month - 1]} {day}" in text
    if re.fullmatch(r"\d+-\d+", value_text):
        low, high = value_text.split("-")
        return bool(re.search(rf"{low}%?\s*[~～-]\s*{high}%", text))
    number = float(value_text)
    if number == 0:
        return "全部实现脱贫" in text or "全部脱贫" in text
    wanted = {number, round(number * 1e6, 6)} if unit.startswith("million") else {number}
    return bool(wanted & _quoted_numbers(text))


def stating_ids(
    source_id: str, value_text: str, unit: str, data_dir: Path | str | None = None
) -> str:
    """The ids of ``source_id`` (``;``-joined) whose quoted text or title states the value.

    A quote states a value written with or without thousands commas, with Chinese units (万,
    亿, the numerals 十多万 and 一亿) or "million"; a date as "M月D日", "D日" or "<Month> D";
    a band "a-b" as "a%~b%"; a population of 0 as 全部(实现)脱贫 (all lifted out of poverty).

    Parameters
    ----------
    source_id : str
        Ids joined by ``;``.
    value_text : str
        The value as stated.
    unit : str
        Its unit.
    data_dir : path, optional
        Another copy of ``data/raw/public`` (tests); ``analysis.paths.RAW_PUBLIC`` by default.

    Returns
    -------
    str
        The stating ids, ``;``-joined, in the order given.

    Examples
    --------
    >>> row = lankao_facts().iloc[0]
    >>> stating_ids(row["source_id"], row["value"], row["unit"]) == row["stated_by"]
    True
    """
    texts = _source_texts(data_dir)
    return ";".join(sid for sid in source_id.split(";") if _states(texts[sid], value_text, unit))


def _source_texts(data_dir: Path | str | None) -> dict[str, str]:
    """Each source id's quote and title, as `stating_ids` searches them."""
    path = _dir(data_dir) / "sources.csv"
    key = ("source_texts", str(path), _digest(_file_bytes(path)))
    texts = _MEMO.get(key)
    if texts is None:
        frame = sources(data_dir)
        texts = _MEMO[key] = {
            sid: f"{quote} {title}"
            for sid, quote, title in zip(
                frame["source_id"], frame["quote"], frame["title"], strict=True
            )
        }
    return texts


def sources_note(source_ids: Iterable[object], data_dir: Path | str | None = None) -> str:
    """Markdown paragraph resolving ``source_ids``: id, publisher, title, date and URL.

    Parameters
    ----------
    source_ids : iterable
        Source ids, or cells of a ``source_id``/``stated_by`` column that may hold several ids
        joined by ``;``; empty and missing cells are skipped, repeated ids listed once.
    data_dir : path, optional
        Another copy of ``data/raw/public`` (tests).

    Returns
    -------
    str
        One entry per id, ordered by id: ``[S18] publisher, "title", date, <url>.``

    Examples
    --------
    >>> note = sources_note(["S19;S18", "", "S18"])
    >>> note.startswith("[S18] "), note.count("[S1")
    (True, 2)
    """
    table = sources(data_dir).set_index("source_id")
    ids = {
        part
        for cell in source_ids
        if not (cell is None or (isinstance(cell, float) and np.isnan(cell)))
        for part in str(cell).split(";")
        if part
    }
    entries = []
    for sid in sorted(ids, key=lambda s: (s[0], int(s[1:3]), s[3:])):
        row = table.loc[sid]
        entries.append(
            f"[{sid}] {row['publisher']}, {_title(str(row['title']))}, {row['published']}, "
            f"<{row['url']}>."
        )
    return " ".join(entries)


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _title(title: str) -> str:
    """A source's title for the text: an English one in quotation marks; a Chinese one in
    title marks (书名号, which GB/T 15834 gives article titles too), marked as Chinese, so the
    build sets its punctuation full width: 《兰考脱贫之后：“光环”下的压力》."""
    if _CJK.search(title):
        return f'[\u300a{title}\u300b]{{lang="zh"}}'
    return f"\u201c{title}\u201d"


def _join_ids(*cells: object) -> str:
    """Join source-id cells, dropping empties and duplicates, keeping first-seen order."""
    seen: list[str] = []
    for cell in cells:
        if isinstance(cell, str) and cell:
            for sid in cell.split(";"):
                if sid not in seen:
                    seen.append(sid)
    return ";".join(seen)


# --------------------------------------------------------------------------------------------
# National series
# --------------------------------------------------------------------------------------------


def national_poverty(data_dir: Path | str | None = None) -> pd.DataFrame:
    """Year-end national rural poor population and incidence, 2012-2020 (NBS survey series).

    Returns
    -------
    DataFrame with ``year`` (int), ``rural_poor_million`` (million persons, NaN where not
    stated: 2013), ``poverty_incidence_pct`` (% of the rural population, NaN where not stated:
    2020), ``source_id``.

    Parameters
    ----------
    data_dir : path, optional
        Another copy of ``data/raw/public`` (tests); ``analysis.paths.RAW_PUBLIC`` by default.

    Examples
    --------
    >>> national_poverty()["year"].min(), national_poverty()["year"].max()
    (np.int64(2012), np.int64(2020))
    """
    path = _dir(data_dir) / "national_poverty.csv"
    data = _file_bytes(path)
    known = _dir(data_dir) / "sources.csv"
    key = ("national_poverty", str(path), _digest(data), _digest(_file_bytes(known)))
    return _memo(key, lambda: _checked_national(path, data, data_dir))


def _checked_national(path: Path, data: bytes, data_dir: Path | str | None) -> pd.DataFrame:
    columns = ["year", "rural_poor_million", "poverty_incidence_pct", "source_id"]
    raw = _read_text_csv(path, columns, data)
    _check_source_ids(path, raw, _known_ids(data_dir))
    frame = pd.DataFrame(
        {
            "year": _parse_year(path, raw, allow_empty=False).astype("int64"),
            "rural_poor_million": _parse_float(path, raw, "rural_poor_million", allow_empty=True),
            "poverty_incidence_pct": _parse_float(
                path, raw, "poverty_incidence_pct", allow_empty=True
            ),
            "source_id": raw["source_id"],
        }
    )
    if not frame["year"].is_monotonic_increasing or frame["year"].duplicated().any():
        raise ValueError(f"{path.name}: years must be unique and increasing")
    return frame


def poverty_reduction(data_dir: Path | str | None = None) -> pd.DataFrame:
    """National poor population and its yearly reduction, 2012-2020, from stated values.

    The reduction in a year is the stated NBS figure (``rural_poor_reduction`` in
    ``national_indicators.csv``, 2013-2019). Where none is stated but both year-end populations
    are (2020: 5.51 million to 0), it is their difference and ``reduction_derived`` is True.
    The 2013 population is not stated and stays missing, so no difference involving it is made.

    Returns
    -------
    DataFrame with ``year``, ``poor_million`` (year-end, million persons), ``reduction_million``
    (fall during the year, million persons), ``reduction_derived`` (bool), ``incidence_pct``
    (%), ``source_id`` (ids of every stated value used in the row).

    Parameters
    ----------
    data_dir : path, optional
        Another copy of ``data/raw/public`` (tests); ``analysis.paths.RAW_PUBLIC`` by default.

    Examples
    --------
    >>> list(poverty_reduction().columns)[:3]
    ['year', 'poor_million', 'reduction_million']
    """
    national = national_poverty(data_dir).set_index("year")
    stated = indicators("national", data_dir)
    stated = stated[stated["indicator"] == "rural_poor_reduction"].set_index("year")
    if stated.index.duplicated().any():
        raise ValueError("national_indicators.csv: more than one rural_poor_reduction per year")
    rows = []
    for year in national.index:
        poor = national.at[year, "rural_poor_million"]
        reduction, derived, reduction_ids = np.nan, False, ""
        if year in stated.index:
            reduction = float(stated.at[year, "value"])
            reduction_ids = stated.at[year, "source_id"]
        elif year - 1 in national.index:
            before = national.at[year - 1, "rural_poor_million"]
            if not (np.isnan(before) or np.isnan(poor)):
                reduction = round(before - poor, 2)  # two decimals, as the stated figures
                derived = True
                reduction_ids = national.at[year - 1, "source_id"]
        rows.append(
            {
                "year": int(year),
                "poor_million": poor,
                "reduction_million": reduction,
                "reduction_derived": derived,
                "incidence_pct": national.at[year, "poverty_incidence_pct"],
                "source_id": _join_ids(national.at[year, "source_id"], reduction_ids),
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class PovertyReduction:
    """National poverty reduction over the campaign, from stated values only.

    ``total_reduction_million`` is derived (start minus end population); S37 also states
    the 98.99 million total directly.
    """

    start_year: int
    end_year: int
    poor_start_million: float
    poor_end_million: float
    total_reduction_million: float
    incidence_start_pct: float
    incidence_end_pct: float
    incidence_end_year: int
    """Year of the last stated incidence (the 2020 incidence is not stated)."""
    source_id: str
    total_reduction_derived: bool = True
    """The total is computed (start minus end population), not read from one cell."""


def reduction_summary(data_dir: Path | str | None = None) -> PovertyReduction:
    """Start and end of the national series (population in million persons, incidence in %).

    Parameters
    ----------
    data_dir : path, optional
        Another copy of ``data/raw/public`` (tests); ``analysis.paths.RAW_PUBLIC`` by default.

    Returns
    -------
    PovertyReduction

    Examples
    --------
    >>> summary = reduction_summary()
    >>> summary.start_year, summary.end_year
    (2012, 2020)
    """
    frame = national_poverty(data_dir)
    first, last = frame.iloc[0], frame.iloc[-1]
    with_incidence = frame.dropna(subset=["poverty_incidence_pct"])
    last_incidence = with_incidence.iloc[-1]
    if np.isnan(first["rural_poor_million"]) or np.isnan(last["rural_poor_million"]):
        raise ValueError("national_poverty.csv: first or last year has no stated population")
    return PovertyReduction(
        start_year=int(first["year"]),
        end_year=int(last["year"]),
        poor_start_million=float(first["rural_poor_million"]),
        poor_end_million=float(last["rural_poor_million"]),
        total_reduction_million=round(
            float(first["rural_poor_million"] - last["rural_poor_million"]), 2
        ),
        incidence_start_pct=float(first["poverty_incidence_pct"]),
        incidence_end_pct=float(last_incidence["poverty_incidence_pct"]),
        incidence_end_year=int(last_incidence["year"]),
        source_id=_join_ids(first["source_id"], last["source_id"], last_incidence["source_id"]),
    )


def regional_poor(data_dir: Path | str | None = None) -> pd.DataFrame:
    """Rural poor population by region (east, central, west) where stated.

    Returns ``year``, ``region`` (ordered category east < central < west), ``poor_million``
    (million persons), ``source_id``; years and regions without a stated value have no row.

    Parameters
    ----------
    data_dir : path, optional
        Another copy of ``data/raw/public`` (tests); ``analysis.paths.RAW_PUBLIC`` by default.

    Returns
    -------
    pandas.DataFrame
        The columns the Example lists (and the summary names).

    Examples
    --------
    >>> sorted(set(regional_poor()["region"]))
    ['central', 'east', 'west']
    """
    frame = indicators("national", data_dir)
    pattern = re.compile(r"^rural_poor_(east|central|west)$")
    regional = frame[frame["indicator"].str.match(pattern)]
    out = pd.DataFrame(
        {
            "year": regional["year"].astype("int64"),
            "region": pd.Categorical(
                regional["indicator"].str.replace("rural_poor_", "", regex=False),
                categories=list(REGIONS),
                ordered=True,
            ),
            "poor_million": regional["value"],
            "source_id": regional["source_id"],
        }
    )
    return out.sort_values(["year", "region"]).reset_index(drop=True)


def poor_area_income(data_dir: Path | str | None = None) -> pd.DataFrame:
    """NBS per-capita disposable income of rural residents in poor areas, 2016-2020.

    Returns ``year``, ``income_yuan`` (current yuan per person per year), ``real_growth_pct``
    (% real growth on the year before, NaN where not stated: 2016), ``source_id``.

    Parameters
    ----------
    data_dir : path, optional
        Another copy of ``data/raw/public`` (tests); ``analysis.paths.RAW_PUBLIC`` by default.

    Returns
    -------
    pandas.DataFrame
        The columns the Example lists (and the summary names).

    Examples
    --------
    >>> list(poor_area_income().columns)
    ['year', 'income_yuan', 'real_growth_pct', 'source_id']
    """
    frame = indicators("national", data_dir)
    income = frame[frame["indicator"] == "poor_area_rural_per_capita_disposable_income"]
    growth = frame[frame["indicator"] == "poor_area_income_real_growth"].set_index("year")
    rows = []
    for _, row in income.sort_values("year").iterrows():
        year = int(row["year"])
        has_growth = year in growth.index
        rows.append(
            {
                "year": year,
                "income_yuan": row["value"],
                "real_growth_pct": growth.at[year, "value"] if has_growth else np.nan,
                "source_id": _join_ids(
                    row["source_id"], growth.at[year, "source_id"] if has_growth else ""
                ),
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# Lankao
# --------------------------------------------------------------------------------------------


def lankao_facts(data_dir: Path | str | None = None) -> pd.DataFrame:
    """Every Lankao row with its source label.

    Returns ``indicator``, ``year`` (Int64, missing where the source gives none), ``value``
    (the value as stated, text: numbers and ISO dates), ``value_num`` (float or NaN),
    ``unit``, ``lower_bound``, ``source_id``, ``stated_by`` (the ids whose quote states the
    value, :func:`stating_ids`), ``source`` (label from :func:`source_label`, of ``stated_by``).

    Parameters
    ----------
    data_dir : path, optional
        Another copy of ``data/raw/public`` (tests); ``analysis.paths.RAW_PUBLIC`` by default.

    Returns
    -------
    pandas.DataFrame
        The columns the Example lists (and the summary names).

    Examples
    --------
    >>> list(lankao_facts().columns)
    ['indicator', 'year', 'value', 'value_num', 'unit', 'lower_bound', 'source_id', 'stated_by',
     'source']
    """
    frame = indicators("lankao", data_dir)
    table = sources(data_dir).set_index("source_id")
    stated_by = [
        stating_ids(sid, text, unit, data_dir)
        for sid, text, unit in zip(
            frame["source_id"], frame["value_text"], frame["unit"], strict=True
        )
    ]
    missing = [i for i, ids in enumerate(stated_by) if not ids]
    if missing:
        i = missing[0]
        raise ValueError(
            f"lankao_indicators.csv, row {i + 2}: no source's quote states "
            f"{frame.at[i, 'value_text']!r} ({frame.at[i, 'source_id']})"
        )
    labels = {sid: _label(table, sid) for sid in set(stated_by)}
    return pd.DataFrame(
        {
            "indicator": frame["indicator"],
            "year": frame["year"],
            "value": frame["value_text"],
            "value_num": frame["value"],
            "unit": frame["unit"],
            "lower_bound": frame["lower_bound"],
            "source_id": frame["source_id"],
            "stated_by": stated_by,
            "source": [labels[ids] for ids in stated_by],
        }
    )


# quantity -> the Lankao indicators (and year) that state competing values for it
_DISCREPANCIES: dict[str, list[tuple[str, int]]] = {
    "poverty incidence 2014 (%)": [("poverty_incidence", 2014)],
    "registered poor population 2014 (persons)": [("poor_population_registered", 2014)],
    "people lifted out of poverty 2015 (persons)": [("people_lifted_out_of_poverty", 2015)],
    "poverty incidence at exit, end 2016 (%)": [
        ("poverty_incidence_national_assessment_end2016", 2016),
        ("poverty_incidence_provincial_verification", 2016),
    ],
    "exit date": [
        ("exit_approved_by_Henan_provincial_government", 2017),
        ("exit_announced_press_conference_and_greenlit", 2017),
    ],
}


def lankao_discrepancies(data_dir: Path | str | None = None) -> pd.DataFrame:
    """Competing stated figures for the same Lankao quantity, each with its source.

    Returns ``quantity``, ``indicator``, ``year``, ``value`` (as stated), ``unit``,
    ``source_id``, ``source``; one row per stated figure, at least two per quantity.

    Parameters
    ----------
    data_dir : path, optional
        Another copy of ``data/raw/public`` (tests); ``analysis.paths.RAW_PUBLIC`` by default.

    Returns
    -------
    pandas.DataFrame
        The columns the Example lists (and the summary names).

    Examples
    --------
    >>> list(lankao_discrepancies().columns)
    ['quantity', 'indicator', 'year', 'value', 'unit', 'source_id', 'source']
    """
    facts = lankao_facts(data_dir)
    parts = []
    for quantity, keys in _DISCREPANCIES.items():
        mask = pd.Series(False, index=facts.index)
        for indicator, year in keys:
            mask |= (facts["indicator"] == indicator) & (facts["year"] == year).fillna(False)
        rows = facts[mask]
        if rows["value"].nunique() < 2:
            raise ValueError(f"lankao_indicators.csv: expected competing values for {quantity!r}")
        parts.append(rows.assign(quantity=quantity))
    out = pd.concat(parts, ignore_index=True)
    return out[["quantity", "indicator", "year", "value", "unit", "source_id", "source"]]


# (criterion, national threshold indicator, Lankao indicators stating a value for it)
_EXIT_CRITERIA: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "poverty incidence (central China)",
        "exit_threshold_poverty_incidence_central",
        [
            ("poverty_incidence_national_assessment_end2016", "national assessment, end 2016"),
            ("poverty_incidence_provincial_verification", "Henan provincial verification"),
        ],
    ),
    ("misclassified-exit rate", "exit_threshold_misclassified_exit_rate", []),
    ("omission rate", "exit_threshold_omission_rate", []),
    (
        "public recognition",
        "exit_threshold_public_recognition",
        [("public_recognition_rate_provincial_verification", "Henan provincial verification")],
    ),
]


def _threshold_direction(unit: str, indicator: str) -> str:
    if "maximum" in unit:
        return "<"
    if "minimum" in unit:
        return ">"
    raise ValueError(f"national_indicators.csv: unit of {indicator!r} names no maximum/minimum")


def _met(value_pct: float, lower_bound: bool, direction: str, threshold: float) -> str:
    if np.isnan(value_pct):
        return NOT_REPORTED
    if direction == "<":
        if lower_bound:
            return "undetermined"  # "more than x" cannot show that a maximum holds
        return "yes" if value_pct < threshold else "no"
    # a minimum threshold: a stated lower bound above it is enough
    return "yes" if value_pct > threshold else ("undetermined" if lower_bound else "no")


def exit_criteria_counts(check: pd.DataFrame) -> tuple[int, int]:
    """How many exit criteria there are, and how many of them a stated value shows as met.

    Parameters
    ----------
    check : pandas.DataFrame
        The frame of :func:`exit_criteria_check` (one or more rows per criterion).

    Returns
    -------
    tuple of int
        (number of criteria, number with at least one row ``met`` = "yes").

    Examples
    --------
    >>> check = pd.DataFrame({"criterion": ["a", "a", "b"], "met": ["yes", "no", "not reported"]})
    >>> exit_criteria_counts(check)
    (2, 1)
    """
    met = check.loc[check["met"] == "yes", "criterion"]
    return int(check["criterion"].nunique()), int(met.nunique())


def exit_criteria_check(data_dir: Path | str | None = None) -> pd.DataFrame:
    """Lankao against the four national county-exit criteria, using only stated values.

    Thresholds come from ``national_indicators.csv`` (``exit_threshold_*``, S28); the direction
    (maximum or minimum) is read from their unit. Lankao values come from
    ``lankao_indicators.csv``; a criterion with several stated values (incidence: national
    assessment and provincial verification) gets one row per value, and a criterion with none
    gets one row with ``met`` = "not reported".

    Returns
    -------
    DataFrame with ``criterion``, ``threshold`` (text, e.g. "< 2%"), ``threshold_pct``,
    ``threshold_source_id``, ``lankao_value`` (% or NaN), ``lankao_lower_bound`` (bool),
    ``basis`` (which check stated it), ``source_id``, ``source``, ``met`` ("yes", "no",
    "undetermined" or "not reported").

    Parameters
    ----------
    data_dir : path, optional
        Another copy of ``data/raw/public`` (tests); ``analysis.paths.RAW_PUBLIC`` by default.

    Examples
    --------
    >>> sorted(set(exit_criteria_check()["met"])) <= ["no", "not reported", "undetermined", "yes"]
    False
    """
    national = indicators("national", data_dir)
    facts = lankao_facts(data_dir).set_index("indicator")
    rows = []
    for criterion, threshold_indicator, lankao_keys in _EXIT_CRITERIA:
        match = national[national["indicator"] == threshold_indicator]
        if len(match) != 1:
            raise KeyError(f"national_indicators.csv: need exactly one {threshold_indicator!r}")
        threshold = match.iloc[0]
        direction = _threshold_direction(threshold["unit"], threshold_indicator)
        common = {
            "criterion": criterion,
            "threshold": f"{direction} {threshold['value']:g}%",
            "threshold_pct": float(threshold["value"]),
            "threshold_source_id": threshold["source_id"],
        }
        stated = [(ind, basis) for ind, basis in lankao_keys if ind in facts.index]
        if not stated:
            rows.append(
                common
                | {
                    "lankao_value": np.nan,
                    "lankao_lower_bound": False,
                    "basis": NOT_REPORTED,
                    "source_id": "",
                    "source": NOT_REPORTED,
                    "met": NOT_REPORTED,
                }
            )
        for indicator, basis in stated:
            fact = facts.loc[indicator]
            if isinstance(fact, pd.DataFrame):
                raise KeyError(f"lankao_indicators.csv: more than one {indicator!r}")
            lankao_value = float(fact["value_num"])
            rows.append(
                common
                | {
                    "lankao_value": lankao_value,
                    "lankao_lower_bound": bool(fact["lower_bound"]),
                    "basis": basis,
                    "source_id": fact["source_id"],
                    "source": fact["source"],
                    "met": _met(
                        lankao_value,
                        bool(fact["lower_bound"]),
                        direction,
                        float(threshold["value"]),
                    ),
                }
            )
    return pd.DataFrame(rows)
