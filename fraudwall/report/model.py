"""What the report template receives: sections holding small display tables, charts and notes.

Section builders do all formatting in Python, so the template only lays out strings that are
already masked and formatted, and Jinja's auto-escaping covers every value taken from data.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from markupsafe import Markup


@dataclass
class Tab:
    """A display table: header, rows of formatted cells, and which columns are numeric."""

    columns: list[str]
    rows: list[list[str]]
    numeric: set[int] = field(default_factory=set)
    caption: str = ""

    @classmethod
    def from_frame(
        cls, df: pd.DataFrame, *, formats: dict[str, Any] | None = None, caption: str = ""
    ) -> Tab:
        """Format a small frame cell by cell (frames here have tens of rows, not data rows)."""
        formats = formats or {}
        numeric = {
            i
            for i, c in enumerate(df.columns)
            if pd.api.types.is_numeric_dtype(df[c].dtype)
            and not pd.api.types.is_bool_dtype(df[c].dtype)
        }
        cols = []
        for i, c in enumerate(df.columns):
            f = formats.get(c, num if i in numeric else text)
            cols.append([f(v) for v in df[c].tolist()])
        rows = [list(r) for r in zip(*cols, strict=True)] if cols else []
        return cls([str(c) for c in df.columns], rows, numeric, caption)


@dataclass
class Section:
    """One part of the report. ``notes`` say what is missing or how to read it."""

    id: str
    title: str
    tables: dict[str, Tab] = field(default_factory=dict)
    charts: dict[str, Markup] = field(default_factory=dict)
    facts: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    error: str | None = None

    def note(self, text: str) -> None:
        self.notes.append(text)


def _missing(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, float) and math.isnan(v)


def num(v: Any) -> str:
    """A count or measure for display: thousands separators, 3 significant decimals, — if none.

    >>> num(1234567), num(0.123456), num(None)
    ('1,234,567', '0.123', '—')
    """
    if _missing(v):
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer() and abs(v) >= 1):
        return f"{int(v):,}"
    if isinstance(v, float):
        return f"{v:,.3f}" if abs(v) < 1000 else f"{v:,.0f}"
    return str(v)


def pct(v: Any) -> str:
    """A share as a percentage.

    >>> pct(0.9512), pct(None)
    ('95.1%', '—')
    """
    return "—" if _missing(v) else f"{float(v):.1%}"


def text(v: Any) -> str:
    """Any value as display text; missing values as an em dash."""
    if _missing(v):
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, pd.Timestamp):
        return v.isoformat(sep=" ", timespec="seconds")
    return str(v)


def joined(values: Iterable[Any], sep: str = ", ") -> str:
    return sep.join(str(v) for v in values)


def columns_present(df: pd.DataFrame | None, required: Sequence[str]) -> bool:
    """Whether ``df`` is a frame with at least one row and all ``required`` columns."""
    return df is not None and not df.empty and all(c in df.columns for c in required)
