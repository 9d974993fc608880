"""What a screening decision is: an action, the SIP code, the label and the rule behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Action(StrEnum):
    ALLOW = "allow"
    LABEL = "label"
    BLOCK = "block"


#: Every rule a decision can name; the integer is how a held block is stored in the state.
RULES: dict[str, int] = {
    "none": 0,
    "personal_allow": 1,
    "personal_block": 2,
    "contact": 3,
    "blacklist": 4,
    "batch_risk": 5,
    "burst_10m": 6,
    "calls_1h": 7,
    "sequential": 8,
    "fanout_24h": 9,
    "repeat_callee": 10,
    "held": 11,
}
RULE_NAMES = {v: k for k, v in RULES.items()}

DECLINE = 603  # network block: SIP 603 Decline
UNWANTED = 607  # a block the callee asked for: SIP 607 Unwanted (RFC 8197)


@dataclass(frozen=True)
class Decision:
    """The answer for one call set-up.

    >>> d = Decision(Action.BLOCK, "blacklist", sip_code=603, reasons=("caller on list own",))
    >>> d.to_dict()["sip_code"]
    603
    """

    action: Action
    rule: str
    sip_code: int | None = None
    label: str | None = None
    reasons: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, object]:
        return {
            "action": self.action.value,
            "rule": self.rule,
            "sip_code": self.sip_code,
            "label": self.label,
            "reasons": list(self.reasons),
        }


ALLOW = Decision(Action.ALLOW, "none")
