"""The ``[actions]`` policy section: deadlines, the automatic path, the victim SMS template."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_SMS = (
    "【反诈提醒】尊敬的用户，您好！我们监测到您近期可能接触了疑似诈骗电话或信息。"
    "请勿向陌生人转账汇款，勿透露验证码和银行卡信息。如有疑问请拨打96110反诈专线。"
)


class ActionPolicy(BaseModel):
    """How fast actions must happen and when a severe one may skip the second person."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    deadline_high_min: int = Field(
        30, ge=1, le=10080, description="minutes from detection to act on a high-risk case"
    )
    deadline_medium_min: int = Field(
        240, ge=1, le=10080, description="minutes from detection to act on a medium-risk case"
    )
    deadline_low_min: int = Field(
        1440, ge=1, le=43200, description="minutes from detection to act on a low-risk case"
    )
    deadline_victim_min: int = Field(
        10, ge=1, le=1440, description="minutes from detection to warn or call a likely victim"
    )
    auto_severe: bool = Field(
        False,
        description="let suspend/shutdown of the highest-confidence cases skip the second person",
    )
    auto_min_score: float = Field(
        0.98, ge=0.5, le=1.0, description="case score at or above which the automatic path applies"
    )
    auto_types: tuple[Literal["suspend", "shutdown"], ...] = Field(
        ("suspend",), description="severe actions the automatic path may take"
    )
    sms_template: str = Field(
        DEFAULT_SMS,
        min_length=10,
        max_length=500,
        description="zh-CN warning SMS to a likely victim",
    )
