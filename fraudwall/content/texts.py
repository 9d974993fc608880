"""Reading message files (``content[,label]`` CSV, UTF-8 or GBK) with errors that say where.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first message row 2.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from fraudwall.errors import InputError
from fraudwall.ingest.readers import detect_encoding


def read_texts(path: Path, *, labelled: bool) -> pd.DataFrame:
    """Read a messages CSV: a ``content`` column, and a ``label`` column when ``labelled``.

    Empty or whitespace-only ``content`` is an error when training (``labelled``) and kept as
    an empty message otherwise; an empty ``label`` is an error. Other columns are kept.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", file=str(path))
    encoding = detect_encoding(path)
    try:
        text = path.read_bytes().decode(encoding)
    except UnicodeDecodeError as e:
        raise InputError(f"not valid {encoding}: {e.reason}", file=str(path)) from None
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as e:
        raise InputError(f"not a readable CSV: {e}", file=str(path)) from None
    if not rows:
        raise InputError("the file is empty (no header row)", file=str(path))
    header = [h.strip().lower() for h in rows[0]]
    needed = ["content", "label"] if labelled else ["content"]
    for col in needed:
        if col not in header:
            raise InputError(
                f"no {col!r} column (header: {', '.join(header) or 'empty'})",
                file=str(path),
                row=1,
                field=col,
            )
    body = rows[1:]
    if not body:
        raise InputError("the file has a header but no messages", file=str(path))
    width = len(header)
    for i, r in enumerate(body, start=2):
        if len(r) != width:
            raise InputError(f"{len(r)} fields where the header has {width}", file=str(path), row=i)
    df = pd.DataFrame(body, columns=header, dtype=object)
    df.insert(0, "row", range(2, len(df) + 2))
    if labelled:
        for col in ("content", "label"):
            blank = df[col].str.strip() == ""
            if blank.any():
                first = int(df.loc[blank, "row"].iloc[0])
                raise InputError(
                    f"empty {col} ({int(blank.sum())} row(s) in all)",
                    file=str(path),
                    row=first,
                    field=col,
                )
        df["label"] = df["label"].str.strip()
    return df.reset_index(drop=True)
