"""The policy: every threshold, switch, weight and action, versioned in one TOML file.

Defaults live next to each detector (its ``Params`` model); ``default.toml`` in this package is
generated from them (``fraudwall policy show --defaults``) and a test keeps the two equal. An
operator's policy file overrides any subset of the defaults and must carry a ``version``.
Anything unknown or out of range is rejected before work starts.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from fraudwall.cases.policy import ActionPolicy
from fraudwall.detectors.base import Detector, Params, load_library
from fraudwall.errors import PolicyError
from fraudwall.screening.policy import ScreeningPolicy

DEFAULT_POLICY = Path(__file__).with_name("default.toml")
DEFAULT_VERSION = "default-1"


class RiskPolicy(BaseModel):
    """How scores become risk levels and levels become actions."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    high: float = Field(0.8, ge=0.0, le=1.0, description="score at or above which risk is high")
    medium: float = Field(0.6, ge=0.0, le=1.0, description="score at or above which risk is medium")
    action_high: str = Field("push_to_police", description="recommended action for high risk")
    action_medium: str = Field("reverify_real_name", description="action for medium risk")
    action_low: str = Field("watch", description="action for low risk")
    action_victim: str = Field("warn_subscriber", description="action for likely victims")
    top_reasons: int = Field(3, ge=1, le=10, description="reasons kept per entity in risk output")

    @model_validator(mode="after")
    def _ordered(self) -> RiskPolicy:
        if self.medium > self.high:
            raise ValueError("risk.medium must not exceed risk.high")
        return self


class RegistrationPolicy(BaseModel):
    """The point-of-sale registration check (``fraudwall check registration``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    card_limit: int = Field(
        5, ge=1, le=100, description="cards one holder may hold across operators (一证五卡)"
    )
    outlet_review_level: Literal["high", "medium", "off"] = Field(
        "high", description="outlet abnormal-registration risk level that sends a sale to review"
    )


@dataclass(frozen=True)
class Policy:
    """The effective policy of a run."""

    version: str
    risk: RiskPolicy
    detectors: dict[str, Params] = field(default_factory=dict)
    registration: RegistrationPolicy = field(default_factory=RegistrationPolicy)
    screening: ScreeningPolicy = field(default_factory=ScreeningPolicy)
    actions: ActionPolicy = field(default_factory=ActionPolicy)

    def params(self, detector: str) -> Params:
        return self.detectors[detector]

    def level(self, score: float) -> str:
        if score >= self.risk.high:
            return "high"
        return "medium" if score >= self.risk.medium else "low"


def load_policy(path: str | Path | None = None) -> Policy:
    """Load a policy file over the defaults; ``None`` gives the defaults.

    >>> load_policy().version
    'default-1'
    """
    library = load_library()
    raw: dict[str, Any] = {}
    where = "defaults"
    if path is not None:
        where = str(path)
        try:
            raw = tomllib.loads(Path(path).read_text("utf-8"))
        except FileNotFoundError as e:
            raise PolicyError(f"{where}: no such policy file") from e
        except tomllib.TOMLDecodeError as e:
            raise PolicyError(f"{where}: not valid TOML: {e}") from e
    unknown = set(raw) - {"version", "risk", "detectors", "registration", "screening", "actions"}
    if unknown:
        raise PolicyError(f"{where}: unknown top-level keys {sorted(unknown)}")
    version = raw.get("version", DEFAULT_VERSION if path is None else None)
    if not isinstance(version, str) or not version:
        raise PolicyError(f"{where}: a policy file needs a non-empty string `version`")
    try:
        risk = RiskPolicy(**raw.get("risk", {}))
    except ValidationError as e:
        raise PolicyError(_explain(where, "risk", e)) from e
    try:
        registration = RegistrationPolicy(**raw.get("registration", {}))
    except ValidationError as e:
        raise PolicyError(_explain(where, "registration", e)) from e
    sections = raw.get("detectors", {})
    unknown = set(sections) - set(library)
    if unknown:
        raise PolicyError(f"{where}: unknown detectors {sorted(unknown)}")
    detectors = {}
    for name, cls in library.items():
        try:
            detectors[name] = cls.Params(**sections.get(name, {}))
        except ValidationError as e:
            raise PolicyError(_explain(where, f"detectors.{name}", e)) from e
    try:
        screening = ScreeningPolicy(**raw.get("screening", {}))
    except ValidationError as e:
        raise PolicyError(_explain(where, "screening", e)) from e
    try:
        actions = ActionPolicy(**raw.get("actions", {}))
    except ValidationError as e:
        raise PolicyError(_explain(where, "actions", e)) from e
    return Policy(version, risk, detectors, registration, screening, actions)


def _explain(where: str, section: str, e: ValidationError) -> str:
    lines = [
        f"{where}: {section}.{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
        f" (got {err.get('input')!r})"
        for err in e.errors()
    ]
    return "\n".join(lines)


def render_policy(policy: Policy) -> str:
    """The policy as TOML, with each parameter's meaning and basis as a comment."""
    out = [
        "# fraudwall policy. Generated by `fraudwall policy show`; edit a copy and pass it with",
        "# --policy. `relative` thresholds are quantiles or multiples of a baseline and travel",
        "# between operators; `absolute` ones are fixed values to review for your network.",
        f"version = {_toml(policy.version)}",
        "",
        "[risk]",
    ]
    out += _render_model(policy.risk)
    out += ["", "[registration]"]
    out += _render_model(policy.registration)
    out += ["", "[screening]"]
    out += _render_model(policy.screening)
    out += ["", "[actions]"]
    out += _render_model(policy.actions)
    library = load_library()
    for name, params in policy.detectors.items():
        cls: type[Detector] = library[name]
        summary = cls.logic().split(". ")[0].rstrip(".")
        out += ["", f"[detectors.{name}]", f"# {cls.scenario}: {summary}."]
        out += _render_model(params)
    return "\n".join(out) + "\n"


def _render_model(model: BaseModel) -> list[str]:
    lines = []
    for key, info in type(model).model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        basis = f" [{extra['basis']}]" if "basis" in extra else ""
        lines.append(f"{key} = {_toml(getattr(model, key))}  # {info.description or ''}{basis}")
    return lines


def _toml(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_toml(x) for x in v) + "]"
    raise TypeError(f"cannot write {v!r} as TOML")
