"""The detector framework: what a detector declares and what it returns.

A detector is a small class in ``fraudwall/detectors/library/``. It declares

- ``name``: stable name, used in leads, policy and docs;
- ``scenario``: one of the contract's scenarios (this fixes the entity type);
- ``requires``: the stored tables it needs (it is skipped with a notice when one is absent);
- ``signal``: the behaviour it measures; two detectors with the same signal are not independent
  evidence, so risk fusion counts that signal once;
- ``Params``: its policy parameters (a pydantic model; defaults, ranges and docs in one place);
- ``reason``: a ``str.format`` template over its evidence columns and parameters;
- ``needs_corroboration``: whether it is a companion signal whose leads are kept only for
  entities a detector of another signal also flags (see :mod:`fraudwall.scoring.leads`);

and implements ``find(ctx, p)``, which returns an Ibis table with one row per flagged entity and
the columns ``entity_id``, ``score`` (0..1), ``first_seen``, ``last_seen`` and the evidence columns
the reason template names. The framework turns that into leads (:mod:`fraudwall.scoring.leads`).
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import ibis
import ibis.expr.types as ir
from pydantic import BaseModel, ConfigDict, Field

from fraudwall.contract import SCENARIOS
from fraudwall.features.base import FeatureCache, TableMap
from fraudwall.store.engine import engine_of

Basis = Literal["absolute", "relative"]

LEAD_CORE_COLUMNS = ("entity_id", "score", "first_seen", "last_seen")


def threshold(default: Any, doc: str, *, basis: Basis, **constraints: Any) -> Any:
    """A policy parameter that is a threshold; ``basis`` says whether it travels.

    ``relative`` thresholds are quantiles of the population or multiples of an entity's own
    baseline and carry over to another operator's data; ``absolute`` ones are fixed counts or
    durations that an operator should review for its own network.
    """
    return Field(default, description=doc, json_schema_extra={"basis": basis}, **constraints)


class Params(BaseModel):
    """Parameters every detector has; subclasses add their thresholds."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    enabled: bool = Field(True, description="run this detector")
    weight: float = Field(1.0, ge=0.0, le=1.0, description="weight of its score in risk fusion")


REGISTRY: dict[str, type[Detector]] = {}


@dataclass
class Context:
    """What a detector can read: stored tables, shared features, the engine, run metadata."""

    tables: TableMap
    features: FeatureCache
    con: ibis.BaseBackend
    #: The run's policy (a ``fraudwall.policy.Policy``), for detectors that build on others.
    policy: Any = None
    _hits: dict[str, ir.Table] = field(default_factory=dict, repr=False)

    def has(self, table: str) -> bool:
        return table in self.tables

    def params(self, cls: type[Detector]) -> Any:
        """The detector's parameters under the run's policy (its defaults without one)."""
        return self.policy.params(cls.name) if self.policy is not None else cls.Params()

    def runnable(self, cls: type[Detector]) -> bool:
        """Whether the detector is enabled, configured, and all its tables exist."""
        p = self.params(cls)
        return (
            bool(p.enabled)
            and cls.skip_reason(p) is None
            and all(self.has(t) for t in cls.requires)
        )

    def hits(self, cls: type[Detector]) -> ir.Table:
        """The detector's hits, computed once per run and shared.

        Detectors that build on others (victims of flagged callers, precedence between
        scenarios) read them here instead of running the other detector again.
        """
        if cls.name not in self._hits:
            with self.features.ledger.section(cls.name):
                expr = cls().find(self, self.params(cls))
                self._hits[cls.name] = engine_of(self.con).materialise(f"hits_{cls.name}", expr)
        return self._hits[cls.name]


class Detector:
    """Base class of every detector (see the module docstring)."""

    name: ClassVar[str]
    scenario: ClassVar[str]
    requires: ClassVar[tuple[str, ...]] = ()
    signal: ClassVar[str] = ""
    reason: ClassVar[str]
    #: A companion signal (e.g. an anomaly score over a fixed tail share) that says "unusual",
    #: not "misuse": alone it would flag whoever is most unusual, so its leads are kept only
    #: where another signal flags the same entity.
    needs_corroboration: ClassVar[bool] = False
    Params: ClassVar[type[Params]] = Params

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if "name" not in cls.__dict__:
            return  # an abstract intermediate class
        if cls.scenario not in SCENARIOS:
            raise ValueError(f"detector {cls.name!r}: unknown scenario {cls.scenario!r}")
        if cls.name in REGISTRY and REGISTRY[cls.name] is not cls:
            raise ValueError(f"detector name {cls.name!r} is used twice")
        if not cls.signal:
            cls.signal = cls.name
        REGISTRY[cls.name] = cls

    @classmethod
    def entity_type(cls) -> str:
        return SCENARIOS[cls.scenario].entity_type

    @classmethod
    def logic(cls) -> str:
        """The detector's docstring: what it looks for and why (shown in the catalogue)."""
        return " ".join((cls.__doc__ or "").split())

    @classmethod
    def skip_reason(cls, p: Any) -> str | None:
        """Why the detector cannot run under these parameters (e.g. no model configured)."""
        return None

    def find(self, ctx: Context, p: Any) -> ir.Table:
        """One row per flagged entity: entity_id, score, first_seen, last_seen, evidence."""
        raise NotImplementedError


def load_library() -> dict[str, type[Detector]]:
    """Import every module of ``fraudwall.detectors.library`` and return the registry."""
    from fraudwall.detectors import library

    for mod in pkgutil.iter_modules(library.__path__):
        importlib.import_module(f"{library.__name__}.{mod.name}")
    return dict(sorted(REGISTRY.items()))


# -- scoring helpers shared by detectors --------------------------------------------------------


def ramp(
    value: ir.NumericValue, at: float | ir.NumericValue, full: float | ir.NumericValue
) -> ir.FloatingValue:
    """0.5 when ``value`` reaches the threshold ``at``, rising linearly to 1.0 at ``full``.

    Below ``at`` it falls towards 0; scores stay within [0, 1]. Used to turn "how far past the
    threshold" into a comparable score.
    """
    at_f, full_f = (
        (x if isinstance(x, ir.Value) else ibis.literal(x)).cast("float64") for x in (at, full)
    )
    v = value.cast("float64")
    above = 0.5 + 0.5 * (v - at_f) / ibis.greatest(full_f - at_f, ibis.literal(1e-9))
    below = 0.5 * v / ibis.greatest(at_f, ibis.literal(1e-9))
    s = ibis.ifelse(v >= at_f, above, below)
    return ibis.least(ibis.greatest(s, ibis.literal(0.0)), ibis.literal(1.0))


def share(part: ir.NumericValue, whole: ir.NumericValue) -> ir.FloatingValue:
    """part / whole, 0 when whole is 0."""
    w = whole.cast("float64")
    return ibis.ifelse(w > 0, part.cast("float64") / w, 0.0)
