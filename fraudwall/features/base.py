"""Feature families: named, documented, versioned behaviour features written once in Ibis.

A family computes one row per entity (number, device, cell, holder, outlet...) from the stored
tables. Its ``build`` function receives Ibis tables and returns an Ibis expression, so the same
definition runs on DuckDB (the default) or any other Ibis engine. Nothing engine-specific belongs
here or in the family modules.

>>> import ibis
>>> from fraudwall.features.base import Feature, FeatureFamily
>>> fam = FeatureFamily(
...     name="demo_counts", entity_type="msisdn", requires=("calls",), window="ingested period",
...     features=(Feature("n", "calls made", "calls"),),
...     build=lambda t: t["calls"].group_by(entity_id=t["calls"].msisdn).agg(n=ibis._.count()),
... )
>>> calls = ibis.memtable({"msisdn": ["a", "a", "b"]})
>>> ibis.duckdb.connect().execute(fam.compute({"calls": calls}).order_by("entity_id"))["n"].tolist()
[2, 1]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from fraudwall.errors import WorkspaceError
from fraudwall.store.engine import engine_of, once_per_run
from fraudwall.timing import SHARED_SECTION, Ledger

TableMap = Mapping[str, ir.Table]


@dataclass(frozen=True)
class Feature:
    """One feature: its column name, what it measures, and its unit."""

    name: str
    doc: str
    unit: str


@dataclass(frozen=True)
class FeatureFamily:
    """Features of one entity type computed together from the same tables."""

    name: str
    entity_type: str
    requires: tuple[str, ...]
    window: str
    features: tuple[Feature, ...]
    build: Callable[[TableMap], ir.Table]
    version: int = 1
    doc: str = ""

    @property
    def columns(self) -> list[str]:
        return ["entity_id", *(f.name for f in self.features)]

    def compute(self, tables: TableMap) -> ir.Table:
        """The family's expression over ``tables``, checked against its declared features."""
        missing = [t for t in self.requires if t not in tables]
        if missing:
            raise WorkspaceError(f"feature family {self.name!r} needs tables {missing}")
        expr = self.build(tables)
        if list(expr.columns) != self.columns:
            raise AssertionError(
                f"feature family {self.name!r} built columns {list(expr.columns)}, "
                f"declared {self.columns}"
            )
        return expr


FAMILIES: dict[str, FeatureFamily] = {}


def feature_family(
    *,
    name: str,
    entity_type: str,
    requires: tuple[str, ...],
    window: str,
    features: tuple[Feature, ...],
    version: int = 1,
) -> Callable[[Callable[[TableMap], ir.Table]], FeatureFamily]:
    """Declare and register a feature family; decorates its ``build`` function."""

    def register(build: Callable[[TableMap], ir.Table]) -> FeatureFamily:
        if name in FAMILIES:
            raise ValueError(f"feature family {name!r} is defined twice")
        fam = FeatureFamily(
            name, entity_type, requires, window, features, build, version, build.__doc__ or ""
        )
        FAMILIES[name] = fam
        return fam

    return register


class FeatureCache:
    """Materialises each family once per run on the engine, so detectors share the work."""

    def __init__(
        self, tables: TableMap, con: ibis.BaseBackend, ledger: Ledger | None = None
    ) -> None:
        self.tables = tables
        self.con = con
        #: Where the time of each materialisation goes (``features:NAME``).
        self.ledger = ledger or Ledger()
        self._done: dict[str, ir.Table] = {}

    def available(self, name: str) -> bool:
        return all(t in self.tables for t in load_families()[name].requires)

    def __getitem__(self, name: str) -> ir.Table:
        if name not in self._done:
            load_families()
            inputs = _WithFamilies(self.tables, self)
            with self.ledger.section(f"{SHARED_SECTION}{name}"):
                expr = FAMILIES[name].compute(inputs)
                self._done[name] = engine_of(self.con).materialise(f"features_{name}", expr)
        return self._done[name]


#: Key prefix under which a family's ``build`` finds another family, already materialised.
FAMILY_KEY = "family:"


def built_on(t: TableMap, family: FeatureFamily) -> ir.Table:
    """``family``'s table for a family built on it: within a run the one the feature cache
    materialised (under ``family:NAME``), else built from the stored tables ``t``."""
    key = f"{FAMILY_KEY}{family.name}"
    return t[key] if key in t else family.build(t)


class _WithFamilies(Mapping[str, ir.Table]):
    """The stored tables plus ``family:NAME`` = that family materialised once per run, so a
    family built on another (``number_profile`` on ``number_calls``) reuses its table instead
    of recomputing it from the raw rows."""

    def __init__(self, tables: TableMap, cache: FeatureCache) -> None:
        self._tables, self._cache = tables, cache

    def __getitem__(self, key: str) -> ir.Table:
        if key.startswith(FAMILY_KEY):
            return self._cache[key.removeprefix(FAMILY_KEY)]
        return self._tables[key]

    def derived(self, name: str, build: Callable[[TableMap], ir.Table]) -> ir.Table:
        """A table derived once per run from the stored tables (see ``once_per_run``)."""
        return once_per_run(self._tables, name, build)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str) and key.startswith(FAMILY_KEY):
            return self._cache.available(key.removeprefix(FAMILY_KEY))
        return key in self._tables

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)


def load_families() -> dict[str, FeatureFamily]:
    """Import every feature module of this package and return the registry."""
    import importlib
    import pkgutil

    import fraudwall.features as pkg

    for mod in pkgutil.iter_modules(pkg.__path__):
        if mod.name != "base":
            importlib.import_module(f"{pkg.__name__}.{mod.name}")
    return dict(sorted(FAMILIES.items()))
