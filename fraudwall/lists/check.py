"""The point-of-sale registration check: may this holder take another card here?

:func:`check_registration` is pure: it answers from a :class:`Snapshot` (active list entries,
partner tokens, cards per holder across operators, outlets' current risk) that is built once
and refreshed in the background (:mod:`fraudwall.lists.snapshot`), so a request does no I/O.

Decision, strictest first: a listed holder, device or outlet (ours or a partner's) or a holder
already at the card limit is ``deny``; an outlet whose current abnormal-registration risk is at
or above the policy's level, or a holder whose cards cannot be counted (no subscriber data
loaded), is ``review``; otherwise ``allow``.

>>> snap = Snapshot(cards={"h1": {"own": 2, "cq-unicom": 3}}, cards_loaded=True)
>>> r = check_registration(snap, RegistrationRequest(holder_id_hash="h1"), now=_NOW)
>>> r.decision, [x.code for x in r.reasons]
('deny', ['card_limit'])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from fraudwall.lists.identifiers import ENTITY_TYPE, normalise
from fraudwall.lists.sharefile import token
from fraudwall.policy import RegistrationPolicy

Decision = Literal["allow", "review", "deny"]
_RANK = {"allow": 0, "review": 1, "deny": 2}
_LEVELS = {"low": 0, "medium": 1, "high": 2}
_NOW = datetime(2026, 1, 1, tzinfo=UTC)


class RegistrationRequest(BaseModel):
    """What the point of sale sends (``POST /v1/check/registration``)."""

    model_config = ConfigDict(extra="forbid", str_max_length=128)

    holder_id_hash: str = Field(description="the holder's pseudonymised ID (holder_id_hash)")
    imei: str | None = Field(None, description="the device the card goes into, if known")
    outlet_id: str | None = Field(None, description="where the card is being sold")
    operator: str | None = Field(None, description="operator selling the card (default: us)")


class Reason(BaseModel):
    """Why the check decided as it did."""

    code: str
    decision: Decision
    message: str


class RegistrationAnswer(BaseModel):
    """The check's answer."""

    decision: Decision
    reasons: list[Reason]
    cards_held: int | None
    card_limit: int
    checked_at: datetime
    snapshot_at: datetime | None


@dataclass(frozen=True)
class Listing:
    """An active list entry as the check sees it."""

    entry_id: int
    source: str
    reason_code: str
    expires_at: datetime | None
    partner: str | None = None

    def active(self, now: datetime) -> bool:
        return self.expires_at is None or self.expires_at > now


@dataclass
class Snapshot:
    """Everything the check needs, in memory."""

    #: (entity_type, normalised value) -> our listings (own, police, partner-named in clear).
    listed: dict[tuple[str, str], list[Listing]] = field(default_factory=dict)
    #: partner -> (its HMAC key, token -> listings imported from it).
    partner_tokens: dict[str, tuple[bytes, dict[str, list[Listing]]]] = field(default_factory=dict)
    #: holder_id_hash -> operator -> active cards.
    cards: dict[str, dict[str, int]] = field(default_factory=dict)
    cards_loaded: bool = False
    #: outlet_id -> (risk score, risk level, run id) from the latest run.
    outlets: dict[str, tuple[float, str, str]] = field(default_factory=dict)
    policy: RegistrationPolicy = field(default_factory=RegistrationPolicy)
    loaded_at: datetime | None = None

    def hits(self, entity_type: str, value: str, now: datetime) -> list[Listing]:
        """Active listings of one identifier, ours and every partner's."""
        out = [x for x in self.listed.get((entity_type, value), ()) if x.active(now)]
        for key, tokens in self.partner_tokens.values():
            found = tokens.get(token(key, entity_type, value))
            if found:
                out += [x for x in found if x.active(now)]
        return out


_WHAT = {"holder_id_hash": "holder", "imei": "device", "outlet_id": "outlet"}


def check_registration(
    snapshot: Snapshot, request: RegistrationRequest, *, now: datetime | None = None
) -> RegistrationAnswer:
    """Decide on one registration (see the module docstring for the rules).

    Raises :class:`~fraudwall.errors.InputError` naming the request field that is malformed.
    """
    now = now or datetime.now(UTC)
    policy = snapshot.policy
    holder = normalise("holders", request.holder_id_hash, field="holder_id_hash")
    asked = {"holder_id_hash": holder}
    if request.imei:
        asked["imei"] = normalise("imeis", request.imei, field="imei")
    if request.outlet_id:
        asked["outlet_id"] = normalise("outlets", request.outlet_id, field="outlet_id")
    reasons: list[Reason] = []
    for entity_type, value in asked.items():
        for hit in snapshot.hits(entity_type, value, now):
            by = f"partner {hit.partner}" if hit.partner else hit.source
            reasons.append(
                Reason(
                    code=f"{_WHAT[entity_type]}_listed",
                    decision="deny",
                    message=f"{_WHAT[entity_type]} is on the {_list_of(entity_type)} blacklist "
                    f"({by}, {hit.reason_code})",
                )
            )
    held: int | None = None
    if snapshot.cards_loaded:
        per_operator = snapshot.cards.get(holder, {})
        held = sum(per_operator.values())
        if held >= policy.card_limit:
            reasons.append(
                Reason(
                    code="card_limit",
                    decision="deny",
                    message=f"holder already has {held} active cards across "
                    f"{len(per_operator)} operator(s); the limit is {policy.card_limit}",
                )
            )
    else:
        reasons.append(
            Reason(
                code="cards_unknown",
                decision="review",
                message="no subscriber data loaded: cards held cannot be counted",
            )
        )
    outlet = asked.get("outlet_id")
    risk = snapshot.outlets.get(outlet) if outlet else None
    if risk and policy.outlet_review_level != "off":
        score, level, run_id = risk
        if _LEVELS.get(level, -1) >= _LEVELS[policy.outlet_review_level]:
            reasons.append(
                Reason(
                    code="outlet_risk",
                    decision="review",
                    message=f"outlet has {level} abnormal-registration risk ({score:.2f}) in "
                    f"run {run_id}",
                )
            )
    decision: Decision = max((r.decision for r in reasons), key=_RANK.__getitem__, default="allow")
    return RegistrationAnswer(
        decision=decision,
        reasons=reasons,
        cards_held=held,
        card_limit=policy.card_limit,
        checked_at=now,
        snapshot_at=snapshot.loaded_at,
    )


def _list_of(entity_type: str) -> str:
    return {v: k for k, v in ENTITY_TYPE.items()}[entity_type]
