"""Validation of survey exports with pandera schemas built from the codebook.

Two schemas per file, both validated with ``lazy=True`` so that every failure is collected:

* :func:`raw_schema` checks the exported TEXT (columns keyed by the Chinese question header):
  option text listed, numbers parseable, required answers present, metadata well formed;
* :func:`clean_schema` checks the cleaned values (columns keyed by variable): ranges, the income
  thresholds, unique ids, categories and cross-field consistency (village in township,
  labour <= household size, no cause for marginal households).

:func:`contract_schema` describes the final frame of the data contract (exact columns, dtypes,
categories) and is what the tests hold the loaders to.

All failures of a file end up in one :class:`DataValidationError` whose message lists each one as
``file, line L (序号 N), column '<question header>', value '<bad value>': <rule>``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pandera.pandas as pa

from analysis import parsing
from analysis.codebook import Codebook

__all__ = [
    "DataValidationError",
    "Failure",
    "SurveyDecodeError",
    "clean_schema",
    "contract_schema",
    "cross_checks",
    "likert_range",
    "raw_schema",
    "schema_failures",
]

LIKERT_RANGE = (1, 5)
"""Fallback score range of a Likert option set without a ``range`` entry."""


def likert_range(codebook: Codebook, col: dict[str, Any]) -> tuple[int, int]:
    """Valid score range of a Likert column, from its option set in the codebook.

    Parameters
    ----------
    codebook : Codebook
        The codebook (:func:`analysis.codebook.load_codebook`).
    col : dict
        A Likert column's YAML entry.

    Returns
    -------
    tuple of int
        (lowest, highest) score.

    Examples
    --------
    >>> from analysis.codebook import load_codebook
    >>> book = load_codebook()
    >>> likert_range(book, book.column("households", "prec_1"))
    (1, 5)
    """
    option_set = codebook.raw["option_sets"].get(col.get("option_set", ""), {})
    low, high = option_set.get("range", LIKERT_RANGE)
    return int(low), int(high)


@dataclass(frozen=True)
class Failure:
    """One validation failure, located by file, line, row id and question header."""

    file: str
    rule: str
    line: int | None = None
    row_id: str | None = None
    id_label: str = "序号"
    column: str | None = None
    value: Any = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.line is not None:
            row = f"line {self.line}"
            if self.row_id not in (None, ""):
                row += f" ({self.id_label} {self.row_id})"
            parts.append(row)
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        where = ", ".join(parts)
        value = "" if self.value is None else f", value {self.value!r}"
        return f"{where}{value}: {self.rule}"


class DataValidationError(ValueError):
    """Every problem found in one raw export; ``failures`` holds them as :class:`Failure`."""

    def __init__(self, file: str, failures: Iterable[Failure]) -> None:
        self.file = file
        self.failures = list(failures)
        lines = [f"{len(self.failures)} problem(s) in {file}:"]
        lines += [f"  - {failure}" for failure in self.failures]
        super().__init__("\n".join(lines))


class SurveyDecodeError(DataValidationError):
    """The file's bytes do not decode with the encoding the codebook declares."""


# ---------------------------------------------------------------------------------------
# Raw (text) schema
# ---------------------------------------------------------------------------------------
def _accepts(parser: Callable[[str], Any]) -> Callable[[Any], bool]:
    """Element-wise predicate: True if ``parser`` accepts the cell (missing cells pass)."""

    def check(value: Any) -> bool:
        try:
            parser(value)
        except parsing.ParseError:
            return False
        return True

    return check


def _likert_in_range(options: dict[str, int]) -> Callable[[Any], bool]:
    """True unless the cell is a bare number outside 1-5 (option text is checked elsewhere)."""

    def check(value: Any) -> bool:
        if parsing.is_missing(value) or str(value).strip() in options:
            return True
        text = parsing.normalise_width(str(value))
        try:
            number = float(text)
        except ValueError:
            return True
        return number.is_integer() and LIKERT_RANGE[0] <= number <= LIKERT_RANGE[1]

    return check


def _likert_listed(options: dict[str, int]) -> Callable[[Any], bool]:
    """True for missing cells, listed option text, or any bare number (range checked apart)."""

    def check(value: Any) -> bool:
        if parsing.is_missing(value) or str(value).strip() in options:
            return True
        try:
            float(parsing.normalise_width(str(value)))
        except ValueError:
            return False
        return True

    return check


def _column_checks(codebook: Codebook, col: dict[str, Any]) -> list[pa.Check]:
    """Element-wise text checks for one raw column, derived from its codebook entry."""
    kind = col["kind"]
    skips = codebook.skip_markers
    checks: list[pa.Check] = []

    def add(predicate: Callable[[Any], bool], rule: str) -> None:
        checks.append(pa.Check(predicate, element_wise=True, error=rule))

    if kind == "id":
        if col.get("id_type") == "str":
            pattern = col.get("pattern", r".+")
            checks.append(pa.Check.str_matches(pattern, error=f"id must match {pattern}"))
        else:
            add(_accepts(lambda v: _positive_int(v)), "序号 must be a positive whole number")
    elif kind == "timestamp":
        fmt = col.get("format", "%Y/%m/%d %H:%M:%S")
        add(
            _accepts(lambda v: _required(parsing.parse_timestamp(v, fmt))),
            "not a timestamp like 2019/7/15 10:23:45",
        )
    elif kind == "duration":
        add(_accepts(lambda v: _required(parsing.parse_duration(v))), "not a duration like '312秒'")
    elif kind in ("single", "ordinal"):
        options = codebook.options(col)
        add(
            _accepts(lambda v: parsing.parse_option(v, options, skips)),
            "not a listed option (" + " / ".join(options) + ")",
        )
    elif kind == "likert":
        options = codebook.options(col)
        add(
            _likert_listed(options),
            "not a listed option (" + " / ".join(options) + ") nor a score 1-5",
        )
        add(_likert_in_range(options), "Likert score out of range 1-5")
    elif kind == "integer":
        units = col.get("units", [])
        add(_accepts(lambda v: parsing.parse_integer(v, units, skips)), "not a whole number")
    elif kind == "number":
        units = col.get("units", [])
        add(_accepts(lambda v: parsing.parse_number(v, units, skips)), "not a number")
    elif kind == "income":
        add(
            _accepts(lambda v: parsing.parse_income(v, skips)),
            "not a number of yuan (expected e.g. 12000, 12,000, 1.2万)",
        )
    elif kind == "multi_select":
        flags = codebook.multi_select_flags(col)
        none = col.get("none_option")
        sep = codebook.multi_select_separator
        add(
            _accepts(lambda v: parsing.parse_multi_select(v, flags, none, sep, skips)),
            f"multi-select must be listed options joined by '{sep}' ('{none}' alone): "
            + " / ".join(flags),
        )
    elif kind == "flag01":
        add(_accepts(lambda v: parsing.parse_flag01(v, skips)), "theme code must be 0 or 1")
    if col.get("required") or kind in ("id", "timestamp", "duration"):
        add(lambda v: not parsing.is_missing(v, skips), "required answer missing")
    return checks


def _positive_int(value: Any) -> int:
    number = parsing.parse_integer(value, (), ())
    if number is None or number < 1:
        raise parsing.ParseError(str(value), "not a positive whole number")
    return number


def _required(value: Any) -> Any:
    if value is None:
        raise parsing.ParseError("", "missing")
    return value


def raw_schema(
    codebook: Codebook, file: str, headers: Iterable[str] | None = None
) -> pa.DataFrameSchema:
    """Schema for the text frame of ``file`` (columns = raw headers, values = cell strings).

    ``headers`` restricts the schema to the columns actually present (missing columns are
    reported separately by the loader, once, instead of once per row).

    Parameters
    ----------
    codebook : Codebook
        The codebook (:func:`analysis.codebook.load_codebook`).
    file : {"households", "staff", "interviews"}
        The survey file.
    headers : iterable of str, optional
        The headers present.

    Returns
    -------
    pandera.DataFrameSchema

    Examples
    --------
    >>> from analysis.codebook import load_codebook
    >>> book = load_codebook()
    >>> len(raw_schema(book, "staff").columns)
    15
    """
    present = set(headers) if headers is not None else None
    columns = {}
    for col in codebook.columns(file):
        if col["kind"] == "ip" or (present is not None and col["header"] not in present):
            continue
        columns[col["header"]] = pa.Column(
            object, checks=_column_checks(codebook, col), nullable=True, coerce=False
        )
    return pa.DataFrameSchema(columns, strict=False, name=f"{file} (raw text)")


# ---------------------------------------------------------------------------------------
# Clean (value) schema
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CrossCheck:
    """A rule involving several variables; failures are reported on ``target``."""

    name: str
    target: str
    func: Callable[[pd.DataFrame], pd.Series]
    needs: tuple[str, ...] = ()


def cross_checks(codebook: Codebook, file: str) -> list[CrossCheck]:
    """Cross-field consistency rules of ``file`` (see codebook cleaning rule 'consistency').

    Parameters
    ----------
    codebook : Codebook
        The codebook (:func:`analysis.codebook.load_codebook`).
    file : {"households", "staff", "interviews"}
        The survey file.

    Returns
    -------
    list of CrossCheck

    Examples
    --------
    >>> from analysis.codebook import load_codebook
    >>> book = load_codebook()
    >>> len(cross_checks(book, "households")) > 0, cross_checks(book, "staff")
    (True, [])
    """
    if file != "households":
        return []
    lookup = {code: v["township"] for code, v in codebook.villages().items()}

    def village_in_township(df: pd.DataFrame) -> pd.Series:
        expected = df["village"].map(lookup)
        return df["village"].isna() | df["township"].isna() | (expected == df["township"])

    def labour_le_size(df: pd.DataFrame) -> pd.Series:
        ok = df["labour"] <= df["hh_size"]
        return ok.fillna(True).astype(bool)

    def cause_only_registered(df: pd.DataFrame) -> pd.Series:
        return ~((df["status"] == "marginal").fillna(False).astype(bool) & df["cause"].notna())

    return [
        CrossCheck(
            "village does not belong to the answered township (village lookup table)",
            "village",
            village_in_township,
            ("village", "township"),
        ),
        CrossCheck(
            "more labourers than household members (labour <= hh_size)",
            "labour",
            labour_le_size,
            ("labour", "hh_size"),
        ),
        CrossCheck(
            "cause of poverty answered by a marginal (never-registered) household",
            "cause",
            cause_only_registered,
            ("status", "cause"),
        ),
    ]


def clean_schema(
    codebook: Codebook, file: str, variables: Iterable[str] | None = None
) -> pa.DataFrameSchema:
    """Schema for the intermediate cleaned frame (nullable dtypes, before the final casts).

    ``variables`` restricts the column checks to the variables whose raw column is present
    (a missing column is reported once by the loader, not once per row).

    Parameters
    ----------
    codebook : Codebook
        The codebook (:func:`analysis.codebook.load_codebook`).
    file : {"households", "staff", "interviews"}
        The survey file.
    variables : iterable of str, optional
        The variables whose raw column is present.

    Returns
    -------
    pandera.DataFrameSchema

    Examples
    --------
    >>> from analysis.codebook import load_codebook
    >>> book = load_codebook()
    >>> "hours_per_week" in clean_schema(book, "staff").columns
    True
    """
    th = codebook.thresholds
    keep = set(variables) if variables is not None else None
    columns: dict[str, pa.Column] = {}
    for col in codebook.columns(file):
        kind, var = col["kind"], col.get("var", "")  # "": a multi-select has flags, no var
        if keep is not None and var not in keep:
            continue
        required = bool(col.get("required"))
        if kind == "id":
            columns[var] = pa.Column(unique=True, nullable=False, report_duplicates="all")
        elif kind in ("single", "ordinal"):
            codes = codebook.categories(file, var)
            columns[var] = pa.Column(checks=pa.Check.isin(codes), nullable=not required)
        elif kind in ("integer", "number"):
            low, high = col["range"]
            columns[var] = pa.Column(
                checks=pa.Check.in_range(low, high, error=f"outside the valid range {low}-{high}"),
                nullable=not required,
            )
        elif kind == "income":
            columns[var] = pa.Column(
                checks=[
                    pa.Check.gt(
                        th["income_min_exclusive"],
                        error="income must be a positive number of yuan (> 0)",
                    ),
                    pa.Check.le(
                        th["income_max"],
                        error=(
                            "income above the plausibility threshold of "
                            f"{th['income_max']} yuan per person per year "
                            "(codebook thresholds.income_max)"
                        ),
                    ),
                ],
                nullable=True,
            )
        elif kind == "likert":
            columns[var] = pa.Column(
                checks=pa.Check.in_range(
                    *likert_range(codebook, col),
                    error="Likert score out of range {}-{}".format(*likert_range(codebook, col)),
                ),
                nullable=True,
            )
    checks = [
        pa.Check(c.func, error=c.name)
        for c in cross_checks(codebook, file)
        if keep is None or set(c.needs) <= keep
    ]
    return pa.DataFrameSchema(columns, checks=checks, strict=False, name=f"{file} (cleaned)")


def schema_failures(
    schema: pa.DataFrameSchema, frame: pd.DataFrame, targets: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Validate lazily and return every failure as ``{index, column, value, rule}``.

    Dataframe-level checks are reported by pandera once per column of a failing row; ``targets``
    (check name -> variable) keeps only the target variable's entry.

    Parameters
    ----------
    schema : pandera.DataFrameSchema
        The schema.
    frame : pandas.DataFrame
        The frame to validate.
    targets : dict of str to str, optional
        Dataframe-level check name -> the variable it reports.

    Returns
    -------
    list of dict
        ``{index, column, value, rule}`` per failure; empty when the frame is valid.

    Examples
    --------
    >>> import pandera.pandas as pa
    >>> schema = pa.DataFrameSchema({"x": pa.Column(int, pa.Check.ge(0))})
    >>> [f["index"] for f in schema_failures(schema, pd.DataFrame({"x": [1, -2]}))]
    [1]
    """
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return []
    targets = targets or {}
    out = []
    for case in cases.to_dict("records"):
        rule = str(case["check"])
        if rule in targets and case["column"] != targets[rule]:
            continue
        if rule == "field_uniqueness":
            rule = "duplicate id: the same id occurs more than once in the file"
        elif rule.startswith("not_nullable"):
            rule = "required answer missing"
        index = case["index"]
        out.append(
            {
                "index": None if pd.isna(index) else index,
                "column": case["column"],
                "value": case["failure_case"],
                "rule": rule,
            }
        )
    return out


# ---------------------------------------------------------------------------------------
# Contract (final frame) schema
# ---------------------------------------------------------------------------------------
def _category_dtype(
    codebook: Codebook, file: str, var: str, ordered: bool = False
) -> pd.CategoricalDtype:
    return pd.CategoricalDtype(codebook.categories(file, var), ordered=ordered)


def contract_schema(codebook: Codebook, file: str) -> pa.DataFrameSchema:
    """Exact columns, dtypes, categories and ranges of a cleaned frame of the data contract.

    Parameters
    ----------
    codebook : Codebook
        The codebook (:func:`analysis.codebook.load_codebook`).
    file : {"households", "staff", "interviews"}
        The survey file.

    Returns
    -------
    pandera.DataFrameSchema

    Examples
    --------
    >>> from analysis.codebook import load_codebook
    >>> book = load_codebook()
    >>> list(contract_schema(book, "interviews").columns)[:2]
    ['interview_id', 'role']
    """
    th = codebook.thresholds
    columns: dict[str, pa.Column] = {}
    for col in codebook.columns(file):
        kind, var = col["kind"], col.get("var", "")  # "": a multi-select has flags, no var
        if kind == "id":
            dtype = "str" if col.get("id_type") == "str" else "int64"
            columns[var] = pa.Column(dtype, unique=True)
        elif kind in ("single", "ordinal"):
            if var in ("township", "village"):
                columns[var] = pa.Column("str", pa.Check.isin(codebook.categories(file, var)))
                if var == "village":
                    columns["poor_village"] = pa.Column(bool)
            else:
                dtype = _category_dtype(codebook, file, var, ordered=kind == "ordinal")
                columns[var] = pa.Column(dtype, nullable=not col.get("required"))
                if var == "status":
                    columns["registered"] = pa.Column(bool)
        elif kind == "integer":
            columns[var] = pa.Column("int64", pa.Check.in_range(*col["range"]))
        elif kind == "number":
            columns[var] = pa.Column("float64", pa.Check.in_range(*col["range"]))
        elif kind == "income":
            columns[var] = pa.Column(
                "float64",
                [pa.Check.gt(th["income_min_exclusive"]), pa.Check.le(th["income_max"])],
                nullable=True,
            )
        elif kind == "multi_select":
            for flag in codebook.multi_select_flags(col).values():
                columns[flag] = pa.Column(bool)
        elif kind == "likert":
            columns[var] = pa.Column(
                "Int64", pa.Check.in_range(*likert_range(codebook, col)), nullable=True
            )
        elif kind == "flag01":
            columns[var] = pa.Column(bool)
        elif kind == "text":
            columns[var] = pa.Column("str")
    return pa.DataFrameSchema(columns, strict=True, ordered=True, name=f"{file} (contract)")
