"""What a screening decision is: an action, the SIP code, the label and the rule behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from pydantic_core import to_json


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

    def to_json(self, call_id: str | None = None) -> bytes:
        """The answer's JSON body: :meth:`to_dict` with ``call_id``, compact, UTF-8, the same
        bytes as the API's ``ScreenAnswer`` model gives (no model built per call set-up).

        >>> ALLOW.to_json("c-1")
        b'{"action":"allow","rule":"none","sip_code":null,"label":null,"reasons":[],"call_id":"c-1"}'
        """
        if self is ALLOW and call_id is None:
            return _ALLOW_JSON  # most calls: built once
        return to_json({**self.to_dict(), "call_id": call_id})


ALLOW = Decision(Action.ALLOW, "none")
_ALLOW_JSON = to_json({**ALLOW.to_dict(), "call_id": None})
