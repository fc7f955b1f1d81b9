"""Loaders for the survey exports: households, staff, interviews (the data contract's API).

Each loader

1. checks the file against the SHA-256 manifest (``verify=True``; pass ``verify=False`` for
   files outside ``data/raw``, e.g. the test corpus);
2. decodes the bytes with the encoding the codebook DECLARES (households ``utf-8-sig``, staff
   ``gbk``), failing with the byte offset and line if they do not decode;
3. parses the CSV (quoted commas, quotes and line breaks survive; each record keeps its line);
4. matches headers and option text to variables THROUGH THE CODEBOOK ONLY;
5. excludes blank rows by the documented rule, logging a warning and recording them in
   ``df.attrs["excluded"]`` (list of ``{"file", "line", "id", "reason"}``);
6. validates with pandera (``lazy=True``) and raises one
   :class:`~analysis.validation.DataValidationError` listing every failure by file, line and
   序号, question header, bad value and rule;
7. returns the cleaned frame with exactly the contract's columns and dtypes. The IP column is
   never copied; free text stays verbatim, inert text.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import parsing
from analysis.codebook import Codebook, load_codebook
from analysis.manifest import verify_file
from analysis.paths import RAW_SURVEY
from analysis.validation import (
    DataValidationError,
    Failure,
    SurveyDecodeError,
    clean_schema,
    contract_schema,
    cross_checks,
    raw_schema,
    schema_failures,
)

__all__ = [
    "HOUSEHOLDS_CSV",
    "INTERVIEWS_CSV",
    "STAFF_CSV",
    "CsvSyntaxError",
    "decode_bytes",
    "load_households",
    "load_interviews",
    "load_staff",
    "n_excluded",
    "read_records",
    "split_by_registration",
]

HOUSEHOLDS_CSV = RAW_SURVEY / "households.csv"
STAFF_CSV = RAW_SURVEY / "staff.csv"
INTERVIEWS_CSV = RAW_SURVEY / "interviews.csv"

logger = logging.getLogger(__name__)

_METADATA_KINDS = ("id", "timestamp", "duration", "ip")


# ---------------------------------------------------------------------------------------
# Public loaders
# ---------------------------------------------------------------------------------------
def load_households(path: Path | str = HOUSEHOLDS_CSV, *, verify: bool = True) -> pd.DataFrame:
    """Cleaned household frame (one row per household; SIMULATED data, see data/README.md).

    Parameters
    ----------
    path : path, optional
        The raw export; the project's file in ``data/raw/survey`` by default.
    verify : bool, default True
        Check the file against ``data/raw/SHA256SUMS`` first.

    Returns
    -------
    pandas.DataFrame
        One row per household, the variables of the codebook with their cleaned dtypes;
        excluded blank rows are listed in ``attrs["excluded"]``.

    Examples
    --------
    >>> hh = load_households()
    >>> len(hh), n_excluded(hh)
    (320, 2)
    """
    return _load("households", Path(path), verify=verify)


def load_staff(path: Path | str = STAFF_CSV, *, verify: bool = True) -> pd.DataFrame:
    """Cleaned staff frame (one row per respondent; SIMULATED data).

    Parameters
    ----------
    path : path, optional
        The raw export; the project's file in ``data/raw/survey`` by default.
    verify : bool, default True
        Check the file against ``data/raw/SHA256SUMS`` first.

    Returns
    -------
    pandas.DataFrame
        One row per respondent.

    Examples
    --------
    >>> len(load_staff())
    86
    """
    return _load("staff", Path(path), verify=verify)


def load_interviews(path: Path | str = INTERVIEWS_CSV, *, verify: bool = True) -> pd.DataFrame:
    """Interview coding matrix (one row per interview, themes as bool; SIMULATED codes).

    Parameters
    ----------
    path : path, optional
        The raw export; the project's file in ``data/raw/survey`` by default.
    verify : bool, default True
        Check the file against ``data/raw/SHA256SUMS`` first.

    Returns
    -------
    pandas.DataFrame
        One row per interview; themes as bool.

    Examples
    --------
    >>> len(load_interviews())
    30
    """
    return _load("interviews", Path(path), verify=verify)


# ---------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------
def n_excluded(frame: pd.DataFrame) -> int:
    """How many blank export rows the loader excluded from ``frame``.

    Parameters
    ----------
    frame : pandas.DataFrame
        A frame returned by :func:`load_households`, :func:`load_staff` or
        :func:`load_interviews` (the exclusions are in ``frame.attrs["excluded"]``).

    Returns
    -------
    int
        The number of excluded rows; 0 for a frame without the record.

    Examples
    --------
    >>> n_excluded(pd.DataFrame({"x": [1]}))
    0
    """
    return len(frame.attrs.get("excluded", []))


def split_by_registration(hh: pd.DataFrame, column: str) -> tuple[pd.Series, pd.Series]:
    """``column`` of the marginal households and of the registered ones.

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame with the boolean ``registered`` column.
    column : str
        The column to split.

    Returns
    -------
    tuple of pandas.Series
        (marginal households' values, registered households' values), each in file order.

    Examples
    --------
    >>> hh = pd.DataFrame({"registered": [True, False, True], "x": [1, 2, 3]})
    >>> [s.tolist() for s in split_by_registration(hh, "x")]
    [[2], [1, 3]]
    """
    for name in ("registered", column):
        if name not in hh.columns:
            raise KeyError(f"split_by_registration: the data lack column {name!r}")
    registered = hh["registered"].astype(bool)
    return hh.loc[~registered, column], hh.loc[registered, column]


def decode_bytes(data: bytes, encoding: str, file: str) -> str:
    """Decode with the declared ``encoding``; never guess.

    Raises :class:`SurveyDecodeError` naming the file, byte offset and line when the bytes do
    not decode, and when a file declared as GBK is in fact UTF-8 (a BOM, or valid UTF-8 with
    non-ASCII text), which GBK would otherwise turn into mojibake without complaint.

    Parameters
    ----------
    data : bytes
        The file's bytes.
    encoding : str
        The declared encoding (codebook).
    file : str
        The file's name, for messages.

    Returns
    -------
    str
        The decoded text.

    Examples
    --------
    >>> decode_bytes("序号".encode("gbk"), "gbk", "staff.csv")
    '序号'
    """
    if encoding.lower().replace("_", "-") in ("gbk", "gb2312", "gb18030", "cp936"):
        looks_utf8 = data.startswith(b"\xef\xbb\xbf")
        if not looks_utf8 and not data.isascii():
            try:
                data.decode("utf-8")
                looks_utf8 = True
            except UnicodeDecodeError:
                pass
        if looks_utf8:
            raise SurveyDecodeError(
                file,
                [
                    Failure(
                        file,
                        line=1,
                        rule=f"declared encoding is {encoding} but the file is UTF-8 "
                        f"(byte offset 0); re-export it as {encoding} or correct the codebook",
                    )
                ],
            )
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        bad = data[exc.start : exc.end + 3]
        raise SurveyDecodeError(
            file,
            [
                Failure(
                    file,
                    line=line,
                    value=bad.hex(" "),
                    rule=f"bytes do not decode as the declared encoding {encoding} at byte offset "
                    f"{exc.start} ({exc.reason})",
                )
            ],
        ) from None


class CsvSyntaxError(ValueError):
    """Text that is not valid CSV (e.g. a stray quote); ``line`` is where the record starts."""

    def __init__(self, line: int, detail: str) -> None:
        super().__init__(f"line {line}: {detail}")
        self.line, self.detail = line, detail


def read_records(text: str) -> list[tuple[int, list[str]]]:
    """CSV records with the (1-based) line each starts on; quoted line breaks stay in cells.

    Parameters
    ----------
    text : str
        The decoded CSV.

    Returns
    -------
    list of tuple
        (line number, cells) per record.

    Examples
    --------
    >>> read_records('a,b\\n1,"x\\ny"\\n')
    [(1, ['a', 'b']), (2, ['1', 'x\\ny'])]
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records = []
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise CsvSyntaxError(start, str(exc)) from None
        records.append((start, row))
        start = reader.line_num + 1
    return records


# ---------------------------------------------------------------------------------------
# Cleaning
# ---------------------------------------------------------------------------------------
class _Located:
    """Maps a frame index to the file line and raw id text for failure messages."""

    def __init__(self, file: str, id_label: str, lines: list[int], ids: list[str]) -> None:
        self.file, self.id_label, self.lines, self.ids = file, id_label, lines, ids

    def failure(self, index: int | None, column: str | None, value: Any, rule: str) -> Failure:
        if index is None:
            return Failure(self.file, rule=rule, column=column, value=value, id_label=self.id_label)
        return Failure(
            self.file,
            rule=rule,
            line=self.lines[index],
            row_id=self.ids[index],
            id_label=self.id_label,
            column=column,
            value=value,
        )


def _load(file_key: str, path: Path, *, verify: bool) -> pd.DataFrame:
    codebook = load_codebook()
    name = path.name
    if verify:
        verify_file(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: survey export not found")
    text = decode_bytes(path.read_bytes(), codebook.encoding(file_key), name)
    try:
        records = read_records(text)
    except CsvSyntaxError as exc:
        failure = Failure(name, line=exc.line, rule=f"malformed CSV: {exc.detail}")
        raise DataValidationError(name, [failure]) from None
    if not records:
        raise DataValidationError(name, [Failure(name, rule="file is empty: no header row")])
    columns = codebook.columns(file_key)
    id_col = next(c for c in columns if c["kind"] == "id")
    failures: list[Failure] = []

    # headers
    (_, header), body = records[0], records[1:]
    header = [h.strip() for h in header]
    expected = [c["header"] for c in columns]
    failures += _header_failures(name, header, expected)
    position = {h: i for i, h in enumerate(header) if header.count(h) == 1}
    present = [h for h in expected if h in position]

    # rows -> text frame (only known columns; the IP column is never copied)
    keep = [c for c in columns if c["header"] in position and c["kind"] != "ip"]
    lines, cells, excluded = [], [], []
    answer_headers = [c["header"] for c in keep if c["kind"] not in _METADATA_KINDS]
    for line, row in body:
        if len(row) != len(header) and any(cell.strip() for cell in row):
            failures.append(
                Failure(
                    name,
                    line=line,
                    row_id=row[0].strip() if header and header[0] == id_col["header"] else None,
                    id_label=id_col["header"],
                    rule=(
                        f"row has {len(row)} fields but the header has {len(header)} "
                        "(a stray comma or an unquoted line break?)"
                    ),
                )
            )
        row = (row + [""] * len(header))[: len(header)]
        record = {c["header"]: row[position[c["header"]]] for c in keep}
        if all(parsing.is_missing(record[h], codebook.skip_markers) for h in answer_headers):
            raw_id = record.get(id_col["header"], "").strip()
            excluded.append(
                {
                    "file": name,
                    "line": line,
                    "id": raw_id or None,
                    "reason": "blank row: no question answered (exclusion rule blank_row)",
                }
            )
            continue
        lines.append(line)
        cells.append(record)
    raw = pd.DataFrame(cells, columns=[c["header"] for c in keep], dtype=object)
    ids = (
        [str(v).strip() for v in raw[id_col["header"]]]
        if id_col["header"] in raw
        else [""] * len(raw)
    )
    where = _Located(name, id_col["header"], lines, ids)

    # text-level checks
    for case in schema_failures(raw_schema(codebook, file_key, present), raw):
        failures.append(where.failure(case["index"], case["column"], case["value"], case["rule"]))

    # values, then value-level checks
    values = _convert(codebook, keep, raw)
    var_header = {}
    for col in keep:
        if col.get("var"):
            var_header[col["var"]] = col["header"]
    targets = {c.name: c.target for c in cross_checks(codebook, file_key)}
    seen = {(f.line, f.column) for f in failures}
    checkable = values[[v for v in values.columns if v in var_header]]
    schema = clean_schema(codebook, file_key, checkable.columns)
    for case in schema_failures(schema, checkable, targets):
        header_text = var_header.get(case["column"], case["column"])
        index = case["index"]
        at_line = lines[index] if index is not None else None
        if (at_line, header_text) in seen:  # already reported at the text level
            continue
        value = (
            raw.at[index, header_text]
            if index is not None and header_text in raw
            else case["value"]
        )
        failures.append(where.failure(index, header_text, value, case["rule"]))

    if failures:
        order = {h: i for i, h in enumerate(expected)}
        failures.sort(key=lambda f: (f.line or 0, order.get(f.column or "", len(order))))
        raise DataValidationError(name, failures)
    frame = _finalise(codebook, file_key, values)
    contract_schema(codebook, file_key).validate(frame)  # a failure here is a bug in this module
    frame.attrs["source"] = name
    frame.attrs["excluded"] = excluded
    frame.attrs["simulated"] = bool(codebook.raw.get("simulated", False))
    for item in excluded:
        logger.warning(
            "%s: excluded line %s (%s %s): %s",
            name,
            item["line"],
            id_col["header"],
            item["id"],
            item["reason"],
        )
    return frame


def _header_failures(file: str, header: list[str], expected: list[str]) -> list[Failure]:
    """Missing, renamed, duplicated and unexpected columns."""
    out = []
    unexpected = [h for h in header if h not in expected]
    for h in dict.fromkeys(header):
        if header.count(h) > 1:
            out.append(Failure(file, column=h, rule=f"column appears {header.count(h)} times"))
    for h in expected:
        if h not in header:
            hint = f" (found unexpected column(s) {unexpected}: renamed?)" if unexpected else ""
            out.append(Failure(file, column=h, rule=f"required column missing{hint}"))
    for h in unexpected:
        out.append(Failure(file, column=h, rule="unexpected column: not in the codebook"))
    return out


def _safe(parser: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Wrap a parser so that a failure (already reported) becomes None."""

    def run(value: Any) -> Any:
        try:
            return parser(value)
        except parsing.ParseError:
            return None

    return run


def _cell_parser(codebook: Codebook, col: dict[str, Any]) -> Callable[[Any], Any]:
    """The parser for one column's cells, with the codebook's options, units and skips bound."""
    kind, skips = col["kind"], codebook.skip_markers
    units = col.get("units", [])
    if kind == "id":
        return partial(parsing.parse_integer, units=(), skip_markers=())
    if kind == "flag01":
        return partial(parsing.parse_flag01, skip_markers=skips)
    if kind in ("single", "ordinal"):
        return partial(parsing.parse_option, options=codebook.options(col), skip_markers=skips)
    if kind == "integer":
        return partial(parsing.parse_integer, units=units, skip_markers=skips)
    if kind == "number":
        return partial(parsing.parse_number, units=units, skip_markers=skips)
    if kind == "income":
        return partial(parsing.parse_income, skip_markers=skips)
    if kind == "likert":
        return partial(parsing.parse_likert, options=codebook.options(col), skip_markers=skips)
    if kind == "multi_select":
        return partial(
            parsing.parse_multi_select,
            options=codebook.multi_select_flags(col),
            none_option=col.get("none_option"),
            separator=codebook.multi_select_separator,
            skip_markers=skips,
        )
    raise ValueError(f"no parser for column kind {kind!r}")


def _convert(codebook: Codebook, keep: list[dict[str, Any]], raw: pd.DataFrame) -> pd.DataFrame:
    """Map text cells to values (nullable dtypes); unparseable cells become NA."""
    skips = codebook.skip_markers
    out: dict[str, Any] = {}
    for col in keep:
        kind, var, cells = col["kind"], col.get("var", ""), raw[col["header"]].tolist()
        if kind in ("timestamp", "duration", "ip"):
            continue
        if kind == "text":
            out[var] = ["" if parsing.is_missing(v, skips) else str(v) for v in cells]
            continue
        if kind == "id" and col.get("id_type") == "str":
            out[var] = pd.array([str(v).strip() for v in cells], dtype="string")
            continue
        parse = _safe(_cell_parser(codebook, col))
        if kind == "likert":  # out-of-range scores stay numbers so the value check names them
            parse = _likert_keep_number(parse, skips)
        values = [parse(v) for v in cells]
        if kind == "multi_select":
            for flag in codebook.multi_select_flags(col).values():
                flags = [None if p is None else p[flag] for p in values]
                out[flag] = pd.array(flags, dtype="boolean")
        elif kind in ("id", "integer", "likert"):
            out[var] = pd.array(values, dtype="Int64")
        elif kind in ("number", "income"):
            out[var] = pd.array(values, dtype="Float64")
        elif kind == "flag01":
            out[var] = pd.array(values, dtype="boolean")
        else:
            out[var] = pd.Series(values, dtype=object).to_numpy()
    return pd.DataFrame(out, index=raw.index)


def _likert_keep_number(
    parse: Callable[[Any], Any], skips: tuple[str, ...]
) -> Callable[[Any], Any]:
    def run(value: Any) -> Any:
        result = parse(value)
        if result is None and not parsing.is_missing(value, skips):
            try:
                number = float(parsing.normalise_width(str(value)))
            except ValueError:
                return None
            return int(number) if number.is_integer() else None
        return result

    return run


def _finalise(codebook: Codebook, file_key: str, values: pd.DataFrame) -> pd.DataFrame:
    """Cast validated values to the contract's dtypes and column order."""
    out: dict[str, Any] = {}
    villages = codebook.villages()
    for col in codebook.columns(file_key):
        kind, var = col["kind"], col.get("var", "")  # "": a multi-select has flags, no var
        if kind in ("timestamp", "duration", "ip"):
            continue
        if kind == "id":
            out[var] = values[var].astype("str" if col.get("id_type") == "str" else "int64")
        elif kind in ("single", "ordinal"):
            if var in ("township", "village"):
                out[var] = values[var].astype("str")
                if var == "village":
                    out["poor_village"] = (
                        values[var].map(lambda v: bool(villages[v]["poor_village"])).astype(bool)
                    )
            else:
                dtype = pd.CategoricalDtype(
                    codebook.categories(file_key, var), ordered=kind == "ordinal"
                )
                out[var] = pd.Categorical(values[var].tolist(), dtype=dtype)
                if var == "status":
                    out["registered"] = (values[var] != "marginal").astype(bool)
        elif kind == "integer":
            out[var] = values[var].astype("int64")
        elif kind in ("number", "income"):
            out[var] = values[var].astype("float64")
        elif kind == "multi_select":
            for flag in codebook.multi_select_flags(col).values():
                out[flag] = values[flag].astype(bool)
        elif kind == "likert":
            out[var] = values[var].astype("Int64")
        elif kind == "flag01":
            out[var] = values[var].astype(bool)
        elif kind == "text":
            out[var] = values[var].astype("str")
    frame = pd.DataFrame(out)
    return frame.reset_index(drop=True)
