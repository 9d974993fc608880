"""The canonical input tables (contract v1): one definition of every table and column.

Everything that reads, validates, stores, simulates or documents input data takes its column
names, types and allowed values from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pyarrow as pa

DType = Literal["string", "timestamp", "int", "float"]
#: Kinds of string column that get special normalisation on ingest.
Kind = Literal["msisdn", "domain", "id"]

ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "timestamp": pa.timestamp("us"),
    "int": pa.int64(),
    "float": pa.float64(),
}


@dataclass(frozen=True)
class Column:
    """One column of a canonical table."""

    name: str
    dtype: DType
    required: bool = False
    allowed: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    kind: Kind | None = None
    doc: str = ""

    @property
    def arrow_type(self) -> pa.DataType:
        return ARROW_TYPES[self.dtype]


@dataclass(frozen=True)
class Table:
    """One canonical table: its columns, its record key and the column that dates a row."""

    name: str
    columns: tuple[Column, ...]
    #: Column that identifies a record; ``None`` means a content hash of the row is the key.
    key: str | None = None
    #: Timestamp column used to partition the store by day; ``None`` means not partitioned.
    time_column: str | None = None
    required_table: bool = False
    doc: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"table {self.name!r} has no column {name!r}")

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def arrow_schema(self) -> pa.Schema:
        """Schema of the table as stored (canonical columns, typed)."""
        return pa.schema([pa.field(c.name, c.arrow_type) for c in self.columns])


def _c(name: str, dtype: DType, required: bool = False, **kw: object) -> Column:
    return Column(name, dtype, required, **kw)  # type: ignore[arg-type]


DIRECTIONS_CALL = ("MO", "MT", "FWD")
DIRECTIONS_SMS = ("MO", "MT")
DEVICE_EVENTS = ("attach", "detach", "power_on", "power_off", "location_update", "sim_change")
HOLDER_TYPES = ("personal", "enterprise", "iot")
STATUSES = ("active", "suspended", "closed")
COMPLAINT_CATEGORIES = ("fraud", "harassment", "spam", "other")
ENTITY_TYPES = ("msisdn", "imei", "holder_id_hash", "outlet_id", "cell_id", "domain")

SUBSCRIBERS = Table(
    "subscribers",
    (
        _c("msisdn", "string", True, kind="msisdn", doc="the subscriber's number"),
        _c("imsi", "string", kind="id", doc="SIM identity"),
        _c("holder_id_hash", "string", True, kind="id", doc="hashed ID document of the holder"),
        _c("holder_type", "string", True, allowed=HOLDER_TYPES),
        _c("activated_at", "timestamp", True),
        _c("deactivated_at", "timestamp"),
        _c("outlet_id", "string", kind="id", doc="shop, agent or online channel of registration"),
        _c("agent_id", "string", kind="id", doc="clerk or agent who registered the number"),
        _c("kyc_face_match", "float", min=0.0, max=1.0, doc="face-vs-ID match score"),
        _c("home_city", "string"),
        _c("operator", "string", doc="holder's operator for cross-operator records"),
        _c("status", "string", allowed=STATUSES),
        _c("arpu", "float", min=0.0, doc="average monthly revenue"),
    ),
    key="msisdn",
    required_table=True,
    doc="one row per SIM/number ever active in the period",
)

CALLS = Table(
    "calls",
    (
        _c("record_id", "string", True, kind="id"),
        _c("msisdn", "string", True, kind="msisdn", doc="the served subscriber"),
        _c("other_party", "string", True, kind="msisdn", doc="the other number"),
        _c("direction", "string", True, allowed=DIRECTIONS_CALL),
        _c("started_at", "timestamp", True),
        _c("duration_s", "int", True, min=0, doc="talk time in seconds; 0 = not answered"),
        _c("imei", "string", kind="id"),
        _c("imsi", "string", kind="id"),
        _c("cell_id", "string", kind="id"),
        _c("roaming_region", "string", doc="region code when roaming, empty at home"),
    ),
    key="record_id",
    time_column="started_at",
    required_table=True,
    doc="voice CDRs, one row per call leg seen by the operator",
)

SMS = Table(
    "sms",
    (
        _c("record_id", "string", True, kind="id"),
        _c("msisdn", "string", True, kind="msisdn"),
        _c("other_party", "string", True, kind="msisdn"),
        _c("direction", "string", True, allowed=DIRECTIONS_SMS),
        _c("sent_at", "timestamp", True),
        _c("length", "int", min=0),
        _c("content", "string", doc="only where lawfully held, e.g. reported samples"),
        _c("imei", "string", kind="id"),
        _c("cell_id", "string", kind="id"),
    ),
    key="record_id",
    time_column="sent_at",
    doc="one row per message",
)

DATA_SESSIONS = Table(
    "data_sessions",
    (
        _c("msisdn", "string", True, kind="msisdn"),
        _c("started_at", "timestamp", True),
        _c("domain", "string", True, kind="domain", doc="host name or app name"),
        _c("bytes_up", "int", min=0),
        _c("bytes_down", "int", min=0),
        _c("cell_id", "string", kind="id"),
    ),
    time_column="started_at",
    doc="app / domain usage",
)

DEVICE_EVENTS_TABLE = Table(
    "device_events",
    (
        _c("msisdn", "string", True, kind="msisdn"),
        _c("event", "string", True, allowed=DEVICE_EVENTS),
        _c("at", "timestamp", True),
        _c("imei", "string", kind="id"),
        _c("imsi", "string", kind="id"),
        _c("cell_id", "string", kind="id"),
    ),
    time_column="at",
    doc="network events",
)

CELLS = Table(
    "cells",
    (
        _c("cell_id", "string", True, kind="id"),
        _c("lat", "float", min=-90.0, max=90.0),
        _c("lon", "float", min=-180.0, max=180.0),
        _c("city", "string"),
        _c("county", "string"),
        _c("risk_area", "int", min=0, max=3, doc="0 none .. 3 highest"),
    ),
    key="cell_id",
    doc="cell sites",
)

COMPLAINTS = Table(
    "complaints",
    (
        _c("complaint_id", "string", True, kind="id"),
        _c("reporter_msisdn", "string", True, kind="msisdn"),
        _c("reported_number", "string", True, kind="msisdn"),
        _c("at", "timestamp", True),
        _c("category", "string", True, allowed=COMPLAINT_CATEGORIES),
        _c("text", "string"),
    ),
    key="complaint_id",
    time_column="at",
    doc="reports by subscribers",
)

LABELS = Table(
    "labels",
    (
        _c("entity_type", "string", True, allowed=ENTITY_TYPES),
        _c("entity_id", "string", True),
        _c("label", "string", True, doc="a scenario name or 'benign'"),
        _c("source", "string", True),
        _c("at", "timestamp", True),
        _c("detail", "string", doc="finer kind, e.g. fake_investment or call_centre (extension)"),
    ),
    doc="known outcomes (police feedback, confirmed cases)",
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        SUBSCRIBERS,
        CALLS,
        SMS,
        DATA_SESSIONS,
        DEVICE_EVENTS_TABLE,
        CELLS,
        COMPLAINTS,
        LABELS,
    )
}
