"""Every table against its contract: the pandera model (values) and the Arrow schema (exact Parquet types).

pandera's `SchemaErrors.failure_cases` (one row per failing value) is grouped into one result per
(table, column, check), with the count and a few examples naming the documents.
"""

from __future__ import annotations

import re

import pandas as pd
import pandera.errors
import pyarrow as arrow

from pipeline.quality.model import ERROR, WARN, CheckResult, Example
from pipeline.schemas import ARROW_SCHEMAS, MODELS

CATEGORY = "contract"
# Checks pandera reports against the frame as a whole whose failure case is a column name.
_COLUMN_NAMED = {"column_in_dataframe", "column_in_schema"}


def _check_name(check: str) -> str:
    """`str_matches('^…$')` -> `str_matches`; `dtype('int64')` -> `dtype`."""
    return re.split(r"[(\s]", check, maxsplit=1)[0] or check


def _doc_id(frame: pd.DataFrame, index) -> str | None:
    if index is None or index != index or "doc_id" not in frame.columns:  # None or NaN: not a row failure
        return None
    try:
        value = frame["doc_id"].iloc[int(index)]
    except (IndexError, ValueError, TypeError):
        return None
    return None if value is None or value != value else str(value)


def _value(case) -> str:
    """The failing value as text; pandas reports a null as NaN, which reads better as `null`."""
    if case is None or (isinstance(case, float) and case != case):
        return "null"
    return str(case)


def _results_from_failures(name: str, frame: pd.DataFrame, cases: pd.DataFrame) -> list[CheckResult]:
    groups: dict[tuple[str, str], dict] = {}
    for case in cases.itertuples(index=False):
        check = str(case.check)
        short_check = _check_name(check)
        index = case.index
        if short_check in _COLUMN_NAMED:
            column = str(case.failure_case)
        elif case.schema_context == "DataFrameSchema":
            column = None  # a multi-column check: pandera lists every column of the row; collected below
        else:
            column = str(case.column)
        key = (short_check if column is None else f"{short_check}:{column}", check)
        group = groups.setdefault(key, {"check": check, "name": short_check, "column": column, "columns": [],
                                        "rows": {}, "count": 0})
        if column is None and str(case.column) not in group["columns"]:
            group["columns"].append(str(case.column))
        row_key = index if index is not None and index == index else f"case-{group['count']}"
        if row_key not in group["rows"]:
            group["count"] += 1
            group["rows"][row_key] = Example(doc_id=_doc_id(frame, index), value=_value(case.failure_case),
                                             row=int(index) if isinstance(index, int | float) and index == index
                                             else None)
    mistyped = {g["column"] for g in groups.values() if g["name"] == "dtype"}
    results = []
    for group in groups.values():
        column = group["column"] or ", ".join(group["columns"]) or None
        examples = list(group["rows"].values())[:5]
        if column in mistyped and group["name"] != "dtype" and all(
                (e.value or "").startswith("TypeError(") for e in examples):
            continue  # a value check that could not run on a column of the wrong type: the dtype says it all
        if group["name"] in _COLUMN_NAMED:
            verb = "is missing" if group["name"] == "column_in_dataframe" else "is not in the contract"
            message = f"column {column!r} {verb}"
        elif group["name"] == "dtype":
            message = f"{name}.{column} has type {examples[0].value}, the contract says {group['check']}"
        else:
            message = f"{group['count']} row(s) of {name}.{column} fail {group['check']}"
        results.append(CheckResult(
            name=group["name"], category=CATEGORY, severity=ERROR, passed=False, message=message, table=name,
            column=column, observed=group["count"], threshold=group["check"], failures=group["count"],
            examples=examples))
    return results


def pandera_checks(name: str, table: arrow.Table) -> list[CheckResult]:
    """The table's pandera model, lazily: every failing check at once, or one passing result."""
    frame = table.to_pandas()
    try:
        MODELS[name].validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as errors:
        return _results_from_failures(name, frame, errors.failure_cases)
    except Exception as error:  # a frame pandera cannot even look at is a failed contract, not a crash
        return [CheckResult("pandera_contract", CATEGORY, ERROR, False,
                            f"contract of {name} could not be evaluated: {type(error).__name__}: {error}",
                            table=name)]
    return [CheckResult("pandera_contract", CATEGORY, ERROR, True,
                        f"{table.num_rows} rows satisfy the {MODELS[name].__name__} contract",
                        table=name, observed=table.num_rows)]


def arrow_type_checks(name: str, table: arrow.Table) -> list[CheckResult]:
    """Parquet types must be the contract's exactly (int64, not int32 or double; string, not binary), so
    every loader sees the same features. Missing and extra columns are pandera's to report."""
    expected = ARROW_SCHEMAS.get(name)
    if expected is None:
        return []
    results = []
    for field in expected:
        if field.name not in table.schema.names:
            continue
        actual = table.schema.field(field.name).type
        if actual != field.type:
            results.append(CheckResult(
                "parquet_type", CATEGORY, ERROR, False,
                f"{name}.{field.name} is stored as {actual}, the contract says {field.type}",
                table=name, column=field.name, observed=str(actual), threshold=str(field.type), failures=1))
    if not results:
        results.append(CheckResult("parquet_type", CATEGORY, ERROR, True,
                                   f"column types of {name} match the contract", table=name))
    return results


def contract_checks(tables: dict[str, arrow.Table], listed: set[str]) -> list[CheckResult]:
    """`listed`: tables the manifest says the release has (a contract table missing from both is a warning:
    the release predates that table)."""
    results = []
    for name in MODELS:
        if name not in tables:
            if name in listed:
                continue  # unreadable or missing files: reported by the manifest checks, naming the file
            results.append(CheckResult("table_present", CATEGORY, WARN, False,
                                       f"table {name} has a contract but is not in the release", table=name))
            continue
        results += pandera_checks(name, tables[name])
        results += arrow_type_checks(name, tables[name])
    for name in sorted(set(tables) - set(MODELS)):
        results.append(CheckResult("table_has_contract", CATEGORY, WARN, False,
                                   f"table {name} is in the release but has no contract in this version of "
                                   "broadsheet: its values were not checked", table=name))
    return results
