"""Reading and checking the model's inputs: a feature table, labels and call-graph edges.

The model works on any per-number feature table, not only fraudwall's own:

* FEATURES — CSV or Parquet; one id column (``id_column``, default the first column) and numeric
  columns. Empty cells (and ``NA``, ``NULL``, ``NaN``) are missing values, which the model handles.
* LABELS — an id column and a ``label`` column holding 0 (normal) or 1 (fraud).
* EDGES — the first two columns are the caller id and the callee id.

In memory the same inputs are a :class:`pandas.DataFrame` of float features indexed by id, a
:class:`pandas.Series` of 0/1 labels indexed by id, and a two-column edge frame. The ``check_*``
functions validate in-memory inputs, the ``read_*`` functions read files and then check them.
Every problem is an :class:`~fraudwall.errors.InputError` naming the file (or the argument), the
row (data rows counted from 1, the header excluded) and the column.

>>> import pandas as pd
>>> f = check_features(pd.DataFrame({"id": ["a", "b"], "calls": ["3", "4.5"]}), id_column="id")
>>> f.loc["b", "calls"]
np.float64(4.5)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from fraudwall.errors import InputError

#: Cell values read as missing in numeric columns (operator exports use all of these).
MISSING_MARKERS = ("", "NA", "N/A", "NaN", "nan", "NULL", "null", "None")
LABEL_COLUMN = "label"


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV (UTF-8 or GBK) or Parquet file with every column as text, nothing coerced."""
    p = Path(path)
    if not p.exists():
        raise InputError("file not found", file=str(p))
    if p.suffix.lower() in (".parquet", ".pq") or p.is_dir():
        try:
            df = pq.read_table(p).to_pandas()
        except Exception as e:  # pyarrow raises several types for unreadable files
            raise InputError(f"cannot read Parquet: {e}", file=str(p)) from None
        return df
    for encoding in ("utf-8", "gb18030"):
        try:
            return pd.read_csv(p, dtype=str, keep_default_na=False, encoding=encoding)
        except UnicodeDecodeError:
            continue
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as e:
            raise InputError(f"cannot read CSV: {e}", file=str(p)) from None
    raise InputError("cannot decode CSV as UTF-8 or GBK", file=str(p))


def _id_strings(values: pd.Series, *, source: str, column: str) -> pd.Series:
    """Ids as non-empty strings; an empty or missing id is an error naming its row."""
    ids = values.astype("string").str.strip()
    bad = ids.isna() | (ids == "")
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 1
        raise InputError("empty id", file=source, row=row, field=column)
    return ids.astype(str)


def _numeric(values: pd.Series, *, source: str, column: str) -> np.ndarray:
    """A column as float64; a value that is neither a number nor a missing marker is an error."""
    if pd.api.types.is_bool_dtype(values):
        return values.to_numpy(dtype=np.float64)
    if pd.api.types.is_numeric_dtype(values):
        out = values.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        text = values.astype("string").str.strip()
        missing = text.isna() | text.isin(MISSING_MARKERS)
        parsed = pd.to_numeric(text.mask(missing), errors="coerce")
        bad = parsed.isna() & ~missing
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(
                f"non-numeric value {text.iloc[row]!r}", file=source, row=row + 1, field=column
            )
        out = parsed.to_numpy(dtype=np.float64, na_value=np.nan)
    inf = np.isinf(out)
    if inf.any():
        raise InputError(
            "infinite value", file=source, row=int(np.flatnonzero(inf)[0]) + 1, field=column
        )
    return out


def _resolve_id_column(df: pd.DataFrame, id_column: str | None, source: str) -> str:
    if df.shape[1] == 0:
        raise InputError("no columns", file=source)
    if id_column is None:
        return str(df.columns[0])
    if id_column not in df.columns:
        raise InputError(
            f"id column {id_column!r} not found (columns: {', '.join(map(str, df.columns))})",
            file=source,
        )
    return id_column


def _check_unique(ids: pd.Series, *, source: str, column: str) -> None:
    dup = ids.duplicated()
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(f"duplicate id {ids.iloc[row]!r}", file=source, row=row + 1, field=column)


def check_features(
    df: pd.DataFrame, *, id_column: str | None = None, source: str = "features"
) -> pd.DataFrame:
    """Validate a feature table; return float64 features indexed by id (column order kept).

    ``id_column`` defaults to the first column. Every other column must be numeric.
    """
    col = _resolve_id_column(df, id_column, source)
    if df.empty:
        raise InputError("no rows", file=source)
    ids = _id_strings(df[col].reset_index(drop=True), source=source, column=col)
    _check_unique(ids, source=source, column=col)
    names = [str(c) for c in df.columns if c != col]
    if not names:
        raise InputError("no feature columns besides the id column", file=source)
    if len(set(names)) != len(names):
        raise InputError("duplicate column names", file=source)
    data = {
        name: _numeric(df[c].reset_index(drop=True), source=source, column=name)
        for name, c in zip(names, [c for c in df.columns if c != col], strict=True)
    }
    out = pd.DataFrame(data, index=pd.Index(ids.to_numpy(), name=col))
    return out


def check_labels(
    df: pd.DataFrame,
    *,
    feature_ids: pd.Index,
    id_column: str | None = None,
    source: str = "labels",
) -> pd.Series:
    """Validate a labels table (id and ``label`` 0/1); return int labels indexed by id.

    The id column is ``id_column`` when the table has it, else the first column; the label column
    is ``label`` when present, else the second column. Every id must be in ``feature_ids``.
    """
    if df.shape[1] < 2:
        raise InputError("labels need an id column and a label column", file=source)
    col = id_column if id_column is not None and id_column in df.columns else str(df.columns[0])
    lab = LABEL_COLUMN if LABEL_COLUMN in df.columns and col != LABEL_COLUMN else None
    if lab is None:
        lab = str(next(c for c in df.columns if c != col))
    if df.empty:
        raise InputError("no rows", file=source)
    ids = _id_strings(df[col].reset_index(drop=True), source=source, column=col)
    _check_unique(ids, source=source, column=col)
    values = _numeric(df[lab].reset_index(drop=True), source=source, column=lab)
    bad = ~np.isin(values, (0.0, 1.0))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"label must be 0 or 1, got {df[lab].iloc[row]!r}", file=source, row=row + 1, field=lab
        )
    unknown = ~ids.isin(feature_ids)
    if unknown.any():
        row = int(np.flatnonzero(unknown.to_numpy())[0])
        raise InputError(
            f"id {ids.iloc[row]!r} is not in the feature table "
            f"({int(unknown.sum())} labelled ids are missing from it)",
            file=source,
            row=row + 1,
            field=col,
        )
    labels = pd.Series(values.astype(np.int8), index=pd.Index(ids.to_numpy(), name=col))
    if labels.nunique() < 2:
        raise InputError("labels hold only one class; need both 0 and 1", file=source, field=lab)
    return labels.rename("label")


def check_edges(df: pd.DataFrame, *, feature_ids: pd.Index, source: str = "edges") -> pd.DataFrame:
    """Validate call-graph edges (first two columns: caller, callee); return ``src, dst`` strings.

    Every id must be in ``feature_ids``: the graph is between the numbers being scored.
    """
    if df.shape[1] < 2:
        raise InputError("edges need two id columns (caller, callee)", file=source)
    out = {}
    for name, c in zip(("src", "dst"), df.columns[:2], strict=True):
        ids = _id_strings(df[c].reset_index(drop=True), source=source, column=str(c))
        unknown = ~ids.isin(feature_ids)
        if unknown.any():
            row = int(np.flatnonzero(unknown.to_numpy())[0])
            raise InputError(
                f"id {ids.iloc[row]!r} is not in the feature table "
                f"({int(unknown.sum())} edge ends are unknown)",
                file=source,
                row=row + 1,
                field=str(c),
            )
        out[name] = ids.to_numpy()
    return pd.DataFrame(out)


def read_features(path: str | Path, *, id_column: str | None = None) -> pd.DataFrame:
    """Read and validate a FEATURES file (see :func:`check_features`)."""
    return check_features(read_table(path), id_column=id_column, source=str(path))


def read_labels(
    path: str | Path, *, feature_ids: pd.Index, id_column: str | None = None
) -> pd.Series:
    """Read and validate a LABELS file (see :func:`check_labels`)."""
    return check_labels(
        read_table(path), feature_ids=feature_ids, id_column=id_column, source=str(path)
    )


def read_edges(path: str | Path, *, feature_ids: pd.Index) -> pd.DataFrame:
    """Read and validate an EDGES file (see :func:`check_edges`)."""
    return check_edges(read_table(path), feature_ids=feature_ids, source=str(path))
