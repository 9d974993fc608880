"""What the engine is given: blacklists, batch risk and subscriber settings (interfaces).

The engine never opens a database or a socket; it reads these lookups, which the caller builds
(from files, from a run's ``risk.parquet``, from the case database) and may refresh.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from fraudwall.errors import InputError

LEVELS = {"low": 1, "medium": 2, "high": 3, "never": 99}
HARASSMENT_SCENARIOS = frozenset({"harassment", "wangiri", "high_frequency", "bulk_sms"})


class ListLookup(Protocol):
    """Blacklists: ``match(kind, value)`` gives the matching list's name, or ``None``."""

    def match(self, kind: str, value: str) -> str | None: ...


@dataclass
class SetLists:
    """Blacklists held as sets: ``{kind: {value: list_name}}``.

    >>> SetLists({"msisdn": {"+8613800000000": "own"}}).match("msisdn", "+8613800000000")
    'own'
    """

    entries: dict[str, dict[str, str]] = field(default_factory=dict)

    def match(self, kind: str, value: str) -> str | None:
        return self.entries.get(kind, {}).get(value)

    @classmethod
    def from_file(cls, path: str | Path) -> SetLists:
        """Read a CSV with header ``kind,value[,list]`` (kind: msisdn, imei, ...)."""
        p = Path(path)
        entries: dict[str, dict[str, str]] = {}
        try:
            with p.open(encoding="utf-8", newline="") as f:
                reader = csv.DictReader(f)
                if not reader.fieldnames or not {"kind", "value"} <= set(reader.fieldnames):
                    raise InputError("needs a header with columns kind,value[,list]", file=str(p))
                for row_no, row in enumerate(reader, start=2):
                    kind, value = (row.get("kind") or "").strip(), (row.get("value") or "").strip()
                    if not kind:
                        raise InputError("empty kind", file=str(p), row=row_no, field="kind")
                    if not value:
                        raise InputError("empty value", file=str(p), row=row_no, field="value")
                    if kind == "msisdn":
                        value = normalize_number(value)
                    entries.setdefault(kind, {})[value] = (row.get("list") or "own").strip()
        except FileNotFoundError as e:
            raise InputError("no such blacklist file", file=str(p)) from e
        return cls(entries)


@dataclass(frozen=True)
class CallerRisk:
    level: str
    scenarios: tuple[str, ...]
    score: float

    @property
    def harassment(self) -> bool:
        return bool(self.scenarios) and set(self.scenarios) <= HARASSMENT_SCENARIOS


class RiskLookup(Protocol):
    def risk(self, msisdn: str) -> CallerRisk | None: ...


@dataclass
class DictRisk:
    """Batch risk per number, e.g. read from a run's ``risk.parquet``."""

    by_number: dict[str, CallerRisk] = field(default_factory=dict)

    def risk(self, msisdn: str) -> CallerRisk | None:
        return self.by_number.get(msisdn)

    @classmethod
    def from_run(cls, run_dir: str | Path) -> DictRisk:
        """The ``msisdn`` rows of ``RUN_DIR/risk.parquet``."""
        import pyarrow.parquet as pq

        p = Path(run_dir) / "risk.parquet"
        if not p.exists():
            raise InputError("no risk.parquet in the run directory", file=str(p))
        t = pq.read_table(
            p, columns=["entity_type", "entity_id", "risk_level", "scenarios", "risk_score"]
        )
        out: dict[str, CallerRisk] = {}
        for et, eid, level, scen, score in zip(
            *(t.column(i).to_pylist() for i in range(5)), strict=True
        ):
            if et != "msisdn" or eid is None:
                continue
            if level not in LEVELS:
                raise InputError(f"unknown risk level {level!r}", file=str(p), field="risk_level")
            names = tuple(scen) if isinstance(scen, list) else tuple(str(scen or "").split(","))
            out[eid] = CallerRisk(
                level, tuple(n.strip() for n in names if n and n.strip()), float(score or 0)
            )
        return cls(out)


@dataclass(frozen=True)
class CallerProfile:
    """What the operator's registration records say about an own number."""

    activated_minute: int | None  # minutes since the epoch, as in :func:`~.engine.minute_of`
    holder_type: str | None  # personal, enterprise, iot


class ProfileLookup(Protocol):
    def profile(self, msisdn: str) -> CallerProfile | None: ...


@dataclass
class DictProfiles:
    """Registration profile per own number, read from a ``subscribers`` table."""

    by_number: dict[str, CallerProfile] = field(default_factory=dict)

    def profile(self, msisdn: str) -> CallerProfile | None:
        return self.by_number.get(msisdn)

    @classmethod
    def from_table(cls, path: str | Path) -> DictProfiles:
        """``subscribers.parquet`` (or a directory of Parquet files): msisdn, activated_at,
        holder_type, as ingested (numbers in E.164)."""
        import pyarrow as pa
        import pyarrow.dataset as ds

        p = Path(path)
        if not p.exists():
            raise InputError("no subscribers table", file=str(p))
        try:
            t = ds.dataset(p, format="parquet").to_table(
                columns=["msisdn", "activated_at", "holder_type"]
            )
        except (pa.ArrowInvalid, KeyError) as e:
            raise InputError(f"cannot read subscribers: {e}", file=str(p)) from e
        minutes = (
            t["activated_at"]
            .cast(pa.timestamp("s"))
            .cast(pa.int64())
            .to_numpy(zero_copy_only=False)
            // 60
        )
        valid = t["activated_at"].is_valid().to_numpy(zero_copy_only=False)
        out = {}
        for i, (num, kind) in enumerate(
            zip(t["msisdn"].to_pylist(), t["holder_type"].to_pylist(), strict=True)
        ):
            if num:
                out[normalize_number(num)] = CallerProfile(
                    int(minutes[i]) if valid[i] else None, kind
                )
        return cls(out)


@dataclass(frozen=True)
class SubscriberSettings:
    """A subscriber's own choices: interception opt-in and personal lists."""

    opted_in: bool = False
    blocked: frozenset[str] = frozenset()
    allowed: frozenset[str] = frozenset()


class SettingsLookup(Protocol):
    def settings(self, msisdn: str) -> SubscriberSettings | None: ...


@dataclass
class DictSettings:
    """Settings per number held in memory (loaded from the database by the worker)."""

    by_number: dict[str, SubscriberSettings] = field(default_factory=dict)

    def settings(self, msisdn: str) -> SubscriberSettings | None:
        return self.by_number.get(msisdn)


def normalize_number(number: str, country_code: str = "86") -> str:
    """A dialled or presented number in the stores' form (E.164 where it is a mobile number).

    >>> normalize_number("138 1234 5678"), normalize_number("008613812345678")
    ('+8613812345678', '+8613812345678')
    >>> normalize_number("10086")
    '10086'
    """
    if number[:1] == "+" and number[1:].isdigit():
        return number  # already E.164: the call path's usual case, without the loop below
    s = "".join(ch for ch in number if ch.isdigit() or ch == "+")
    if s.startswith("00"):
        s = "+" + s[2:]
    if s.startswith("+"):
        return s
    if len(s) == 11 and s[0] == "1":
        return f"+{country_code}{s}"
    if s.startswith(country_code) and len(s) == 11 + len(country_code):
        return "+" + s
    return s
