"""Reasons are read by people and copied into reports: they carry counts, never identifiers."""

from __future__ import annotations

import string

import pytest

from fraudwall.contract import TABLES
from fraudwall.detectors import load_library

#: Evidence names that hold a person's or a device's identifier rather than a count.
IDENTIFIERS = (
    {c.name for t in TABLES.values() for c in t.columns if c.kind == "msisdn"}
    | {f"{c.name}_raw" for t in TABLES.values() for c in t.columns if c.kind == "msisdn"}
    | {"entity_id", "imei", "imsi", "holder_id_hash", "reporter_msisdn", "reported_number"}
)
LIBRARY = load_library()


def _fields(template: str) -> set[str]:
    return {f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(template) if f}


@pytest.mark.parametrize("name", list(LIBRARY))
def test_reason_template_names_no_identifier(name: str):
    assert _fields(LIBRARY[name].reason) & IDENTIFIERS == set()
