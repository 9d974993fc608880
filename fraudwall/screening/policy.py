"""The screening section of the policy: every threshold a call decision uses."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ScreeningPolicy(BaseModel):
    """Thresholds of the live call-screening rules (``[screening]`` in a policy file)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label_fraud: str = Field(
        "疑似诈骗", description="label the callee's phone shows for suspected fraud"
    )
    label_harassment: str = Field("骚扰电话", description="label shown for suspected harassment")
    risk_block_level: str = Field(
        "high", pattern="^(high|medium|low|never)$", description="batch risk level that blocks"
    )
    risk_label_level: str = Field(
        "medium", pattern="^(high|medium|low|never)$", description="batch risk level that labels"
    )
    short_call_s: int = Field(
        60, ge=1, description="an answered call shorter than this is short [absolute]"
    )
    fanout_block_callees: int = Field(
        14,
        ge=2,
        description="distinct callees in 24 h from which the fan-out rule blocks [absolute]",
    )
    fanout_label_callees: int = Field(
        8,
        ge=2,
        description="distinct callees in 24 h from which the fan-out rule labels [absolute]",
    )
    fanout_min_ended: int = Field(
        6, ge=1, description="ended calls in 24 h needed before ratios are trusted [absolute]"
    )
    fanout_max_answer_ratio: float = Field(
        0.65, ge=0.0, le=1.0, description="most answered share of ended calls [absolute]"
    )
    fanout_min_short_share: float = Field(
        0.6, ge=0.0, le=1.0, description="least short share of answered calls [absolute]"
    )
    fanout_max_callback_share: float = Field(
        0.1,
        ge=0.0,
        le=1.0,
        description="most callees who called back, per distinct callee [absolute]",
    )
    fanout_min_new_share: float = Field(
        0.8,
        ge=0.0,
        le=1.0,
        description="least share of 24 h calls that went to a new callee [absolute]",
    )
    block_max_card_age_days: int = Field(
        180,
        ge=0,
        description="live rules block only cards younger than this; older ones are "
        "labelled (0: no limit) [absolute]",
    )
    label_only_holder_types: tuple[str, ...] = Field(
        ("enterprise",), description="holder types whose live-rule hits are labelled, not blocked"
    )
    burst_calls_10m: int = Field(
        25,
        ge=2,
        description="calls in 10 min to new callees that block (wangiri, dialers) [absolute]",
    )
    hour_calls_1h: int = Field(
        45,
        ge=2,
        description="calls in 1 h to new callees that block (SIM boxes, dialers) [absolute]",
    )
    hour_max_answer_ratio: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="most answered share of the last hour's ended calls [absolute]",
    )
    sequential_run: int = Field(
        6, ge=2, description="consecutive calls to ascending numbers that block [absolute]"
    )
    sequential_max_step: int = Field(
        20, ge=1, description="largest gap between two numbers dialled in sequence [absolute]"
    )
    repeat_calls: int = Field(
        5, ge=2, description="calls to the same callee in 24 h that label as harassment [absolute]"
    )
    repeat_max_answered: int = Field(
        1, ge=0, description="most of those calls answered for the harassment label [absolute]"
    )
    hold_minutes: int = Field(
        1440, ge=0, description="how long a live-rule block keeps holding the caller, in minutes"
    )
    optin_keyword: str = Field(
        "KTFSR", min_length=1, description="MO SMS text that opts the sender in to interception"
    )
    optout_keyword: str = Field(
        "QXFSR", min_length=1, description="MO SMS text that opts the sender out"
    )
    keyword_number: str = Field("10086", description="service number the keywords are sent to")
    state_ttl_minutes: int = Field(
        1560, ge=60, description="idle time after which a caller's live state is dropped"
    )
