"""The states and kinds the case domain speaks of."""

from __future__ import annotations

from enum import StrEnum


class CaseState(StrEnum):
    """A case's review state: new → under_review → confirmed | dismissed."""

    new = "new"
    under_review = "under_review"
    confirmed = "confirmed"
    dismissed = "dismissed"


class BatchState(StrEnum):
    """A police lead batch: proposed → approved → exported → delivered."""

    proposed = "proposed"
    approved = "approved"
    exported = "exported"
    delivered = "delivered"


class LeadKind(StrEnum):
    """Whether a batch sends a number for the first time or again with new evidence."""

    new = "new"
    update = "update"


class Outcome(StrEnum):
    """What the police found about a lead."""

    confirmed_fraud = "confirmed_fraud"
    not_fraud = "not_fraud"
    unknown = "unknown"


class ActionType(StrEnum):
    """Dispositions on a subscriber; ``warn_sms`` and ``callback`` are for victims."""

    warn_sms = "warn_sms"
    reverify = "reverify"
    limit_outbound = "limit_outbound"
    suspend = "suspend"
    shutdown = "shutdown"
    callback = "callback"
    restore = "restore"


#: Actions that cut a subscriber off: they need a second person (maker-checker).
SEVERE_ACTIONS = frozenset({ActionType.suspend, ActionType.shutdown})
#: Actions sent to the operator's provisioning system.
PROVISIONED = frozenset(
    {
        ActionType.reverify,
        ActionType.limit_outbound,
        ActionType.suspend,
        ActionType.shutdown,
        ActionType.restore,
        ActionType.warn_sms,
    }
)


class ActionState(StrEnum):
    """requested → approved → dispatched → acknowledged (or failed); rejected; done (call-back);
    reversed (restored after an appeal)."""

    requested = "requested"
    approved = "approved"
    rejected = "rejected"
    dispatched = "dispatched"
    acknowledged = "acknowledged"
    failed = "failed"
    done = "done"
    reversed = "reversed"  # undone by a restore after an appeal


class CallbackOutcome(StrEnum):
    """What the anti-fraud hotline's call-back found."""

    reached = "reached"
    money_sent = "money_sent"
    not_victim = "not_victim"


class AppealState(StrEnum):
    """open → reverified (passed | failed) → restored | upheld."""

    open = "open"
    restored = "restored"
    upheld = "upheld"
