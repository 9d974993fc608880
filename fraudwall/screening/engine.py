"""The screening engine: one decision per call set-up, from what is known at that moment.

Pure: no database, no network. It is given a state store (in-process or Redis), blacklists,
batch risk and subscriber settings, and the policy's thresholds; every decision names its rule.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fraudwall.screening.decision import (
    ALLOW,
    DECLINE,
    RULE_NAMES,
    RULES,
    UNWANTED,
    Action,
    Decision,
)
from fraudwall.screening.lookups import (
    LEVELS,
    CallerRisk,
    DictSettings,
    ListLookup,
    ProfileLookup,
    RiskLookup,
    SetLists,
    SettingsLookup,
    SubscriberSettings,
    normalize_number,
)
from fraudwall.screening.policy import ScreeningPolicy
from fraudwall.screening.state import CallerState, Windows, fingerprint
from fraudwall.screening.stores import PairStep, StateStore

_NO_SETTINGS = SubscriberSettings()


def minute_of(at: datetime | float | int) -> int:
    """Minutes since the epoch of a call time (naive datetimes are taken as UTC wall clock).

    >>> minute_of(datetime(1970, 1, 1, 0, 2, 30))
    2
    """
    if isinstance(at, datetime):
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        return int(at.timestamp() // 60)
    return int(at // 60)


class Engine:
    """Decides ``allow`` / ``label`` / ``block`` for each call and keeps the live state.

    >>> from fraudwall.screening.stores import MemoryStore
    >>> eng = Engine(policy=ScreeningPolicy(), state=MemoryStore(),
    ...              lists=SetLists({"msisdn": {"+8613800000000": "own"}}))
    >>> eng.screen("+8613800000000", "+8613900000000", 0).sip_code
    603
    >>> eng.screen("+8613800000001", "+8613900000000", 0).action.value
    'allow'
    """

    def __init__(
        self,
        *,
        policy: ScreeningPolicy,
        state: StateStore,
        lists: ListLookup | None = None,
        risk: RiskLookup | None = None,
        subscribers: SettingsLookup | None = None,
        profiles: ProfileLookup | None = None,
    ) -> None:
        self.policy = policy
        self.state = state
        self.lists: ListLookup = lists if lists is not None else SetLists()
        self.risk = risk
        self.subscribers: SettingsLookup = (
            subscribers if subscribers is not None else DictSettings()
        )
        self.profiles = profiles
        self._block_level = LEVELS[policy.risk_block_level]
        self._label_level = LEVELS[policy.risk_label_level]
        CallerState._max_step = policy.sequential_max_step

    # -- the call path ------------------------------------------------------------------------
    def screen(
        self, caller: str, callee: str, at: datetime | float | int, *, imei: str | None = None
    ) -> Decision:
        """Decide one call set-up and count it in the caller's live state."""
        caller, callee = normalize_number(caller), normalize_number(callee)
        return self.state.update_pair(caller, callee, self._screen_step(caller, callee, at, imei))

    async def ascreen(
        self, caller: str, callee: str, at: datetime | float | int, *, imei: str | None = None
    ) -> Decision:
        """:meth:`screen` for an event loop: the same decision, the state read and written
        without blocking the loop (Redis)."""
        caller, callee = normalize_number(caller), normalize_number(callee)
        step = self._screen_step(caller, callee, at, imei)
        return await self.state.aupdate_pair(caller, callee, step)

    def call_ended(
        self, caller: str, callee: str, at: datetime | float | int, duration_s: int
    ) -> None:
        """Count a call's end (``duration_s`` = talk time, 0 = unanswered) at time ``at``."""
        caller, callee = normalize_number(caller), normalize_number(callee)
        step = self._ended_step(callee, at, duration_s)
        self.state.update_pair(caller, None, step)

    async def acall_ended(
        self, caller: str, callee: str, at: datetime | float | int, duration_s: int
    ) -> None:
        """:meth:`call_ended` for an event loop."""
        caller, callee = normalize_number(caller), normalize_number(callee)
        await self.state.aupdate_pair(caller, None, self._ended_step(callee, at, duration_s))

    def _screen_step(
        self, caller: str, callee: str, at: datetime | float | int, imei: str | None
    ) -> PairStep[Decision]:
        minute = minute_of(at)

        def step(
            cs: CallerState | None, ce: CallerState | None
        ) -> tuple[CallerState, CallerState | None, Decision]:
            if cs is None:
                cs = CallerState()
            new = cs.record_attempt(minute, callee)
            contact = ce is not None and ce.knows(fingerprint(caller))
            if contact and ce is not None:
                ce.record_callback(minute)  # the callee called this caller earlier: a call-back
            decision = self._decide(caller, callee, minute, cs, contact, imei, new)
            if (
                decision.action is Action.BLOCK
                and decision.rule in _HOLDING
                and self.policy.hold_minutes
            ):
                cs.set_hold(minute + self.policy.hold_minutes, RULES[decision.rule])
            return cs, ce if contact else None, decision

        return step

    def _ended_step(
        self, callee: str, at: datetime | float | int, duration_s: int
    ) -> PairStep[None]:
        minute, short_s = minute_of(at), self.policy.short_call_s

        def step(
            cs: CallerState | None, _ce: CallerState | None
        ) -> tuple[CallerState | None, None, None]:
            if cs is None:
                return None, None, None  # evicted or never screened: nothing to attach it to
            cs.record_end(minute, callee, int(duration_s), short_s)
            return cs, None, None

        return step

    # -- rules --------------------------------------------------------------------------------
    def _decide(
        self,
        caller: str,
        callee: str,
        minute: int,
        cs: CallerState,
        contact: bool,
        imei: str | None,
        new: bool,
    ) -> Decision:
        p = self.policy
        settings = self.subscribers.settings(callee) or _NO_SETTINGS
        if caller in settings.allowed:
            return Decision(Action.ALLOW, "personal_allow", reasons=("on the callee's allow list",))
        if caller in settings.blocked:
            return Decision(
                Action.BLOCK, "personal_block", UNWANTED, reasons=("on the callee's block list",)
            )
        listed = self.lists.match("msisdn", caller) or (imei and self.lists.match("imei", imei))
        if listed:
            why = f"caller on blacklist {listed}"
            if contact:  # a number the callee called is never blocked for them: warn instead
                return Decision(
                    Action.LABEL,
                    "blacklist",
                    label=p.label_fraud,
                    reasons=(why, "callee's contact"),
                )
            return Decision(Action.BLOCK, "blacklist", DECLINE, p.label_fraud, (why,))
        if contact:
            return Decision(Action.ALLOW, "contact", reasons=("the callee called this number",))
        until, held = cs.hold
        if held and minute < until:
            return self._for(settings, Decision(
                Action.BLOCK, RULE_NAMES[held], DECLINE, p.label_fraud,
                (f"held since rule {RULE_NAMES[held]} blocked this caller",),
            ))  # fmt: skip
        risk = self.risk.risk(caller) if self.risk is not None else None
        if risk is not None:
            d = self._risk_decision(risk)
            if d is not None:
                return self._for(settings, d)
        w = cs.windows(minute)
        d = self._live_decision(w)
        if d is not None and d.action is Action.BLOCK and d.rule in _SOFTENED:
            d = self._soften(caller, minute, d)
        d = d or self._repeat_decision(cs, callee, minute)
        return self._for(settings, d) if d is not None else ALLOW

    def _soften(self, caller: str, minute: int, d: Decision) -> Decision:
        """Live rules block young cards and unknown numbers; an established or company line
        that dials like a fraud caller is labelled instead (survey and sales lines do)."""
        prof = self.profiles.profile(caller) if self.profiles is not None else None
        if prof is None:
            return d
        p = self.policy
        why = None
        if prof.holder_type in p.label_only_holder_types:
            why = f"{prof.holder_type} line: labelled, not blocked"
        elif p.block_max_card_age_days and prof.activated_minute is not None:
            age_days = (minute - prof.activated_minute) / 1440
            if age_days > p.block_max_card_age_days:
                why = f"card active for {age_days:.0f} days: labelled, not blocked"
        if why is None:
            return d
        return Decision(Action.LABEL, d.rule, label=d.label, reasons=(*d.reasons, why))

    def _risk_decision(self, risk: CallerRisk) -> Decision | None:
        p = self.policy
        level = LEVELS.get(risk.level, 0)
        label = p.label_harassment if risk.harassment else p.label_fraud
        why = (f"batch risk {risk.level} ({risk.score:.2f}): {', '.join(risk.scenarios)}",)
        if level >= self._block_level and not risk.harassment:
            return Decision(Action.BLOCK, "batch_risk", DECLINE, label, why)
        if level >= self._label_level or level >= self._block_level:
            return Decision(Action.LABEL, "batch_risk", label=label, reasons=why)
        return None

    def _live_decision(self, w: Windows) -> Decision | None:
        p = self.policy
        lab = p.label_fraud
        if w.new_10m >= p.burst_calls_10m:
            return Decision(
                Action.BLOCK, "burst_10m", DECLINE, lab, (f"{w.new_10m} new callees in 10 min",)
            )
        if w.new_1h >= p.hour_calls_1h and (
            w.ended_1h == 0 or w.answered_1h <= p.hour_max_answer_ratio * w.ended_1h
        ):
            return Decision(
                Action.BLOCK, "calls_1h", DECLINE, lab,
                (f"{w.new_1h} new callees in 1 h, {w.answered_1h}/{w.ended_1h} answered",),
            )  # fmt: skip
        if w.sequential_run >= p.sequential_run:
            return Decision(
                Action.BLOCK, "sequential", DECLINE, lab,
                (f"{w.sequential_run + 1} numbers dialled in ascending order",),
            )  # fmt: skip
        if w.new_24h >= p.fanout_label_callees and w.ended_24h >= p.fanout_min_ended:
            answer = w.answered_24h / w.ended_24h
            short = w.short_24h / w.answered_24h if w.answered_24h else 1.0
            callback = w.callbacks_24h / w.new_24h
            novel = w.new_24h / max(w.calls_24h, 1)
            if (
                answer <= p.fanout_max_answer_ratio
                and short >= p.fanout_min_short_share
                and callback <= p.fanout_max_callback_share
                and novel >= p.fanout_min_new_share
            ):
                why = (
                    f"{w.new_24h} new callees in 24 h, {answer:.0%} answered, {short:.0%} of "
                    f"answered short, {callback:.0%} called back",
                )
                if w.new_24h >= p.fanout_block_callees:
                    return Decision(Action.BLOCK, "fanout_24h", DECLINE, lab, why)
                return Decision(Action.LABEL, "fanout_24h", label=lab, reasons=why)
        return None

    def _repeat_decision(self, cs: CallerState, callee: str, minute: int) -> Decision | None:
        p = self.policy
        calls, answered = cs.repeats(callee, minute)
        if calls >= p.repeat_calls and answered <= p.repeat_max_answered:
            return Decision(
                Action.LABEL, "repeat_callee", label=p.label_harassment,
                reasons=(f"{calls} calls to this callee in 24 h, {answered} answered",),
            )  # fmt: skip
        return None

    @staticmethod
    def _for(settings: SubscriberSettings, d: Decision) -> Decision:
        """A callee who opted in to interception has labelled calls blocked for them (607)."""
        if settings.opted_in and d.action is Action.LABEL:
            return Decision(
                Action.BLOCK,
                d.rule,
                UNWANTED,
                d.label,
                (*d.reasons, "callee opted in to interception"),
            )
        return d


#: rules that a person's or a company's line can trip (machine-speed bursts and sequential
#: dialling cannot), so they block only young or unknown cards
_SOFTENED = frozenset({"fanout_24h", "calls_1h"})
_HOLDING = frozenset({"burst_10m", "calls_1h", "sequential", "fanout_24h"})
