"""Hand-made ``sms`` table rows shared by the fraud_sms and fraud_domain tests.

One lender texting a loan offer with a link and contacts to 12 people over two days, one fake
policeman texting three people, a friend's ordinary texts to a spam-trap number, a row with
no content held, and a received (``MT``) copy that is not the sender's.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from fraudwall.policy import Policy, load_policy

T0 = pd.Timestamp("2026-03-02 09:00:00")
LENDER, FAKE_COP, FRIEND, TRAP = "13900000001", "13900000002", "13800000003", "13700000009"
LOAN = (
    "【急用钱】免抵押低息贷款当天到账，热线13912345678，"
    "点击 hxxp://daikuan-vip[.]top 或加微信dk5566"
)
COP = "我是市公安局民警，你的账户涉嫌洗钱，请把资金转入安全账户配合调查"


def sms_row(sender: str, to: str, at: pd.Timestamp, content: str | None, k: int) -> dict:
    """One sent (``MO``) message row."""
    return {
        "record_id": f"s{sender}{to}{k}",
        "msisdn": sender,
        "other_party": to,
        "direction": "MO",
        "sent_at": at,
        "content": content,
    }


def rows() -> list[dict]:
    """The shared ``sms`` table (see the module docstring)."""
    out = []
    for i in range(12):  # the lender texts 12 people over two days
        at = T0 + pd.Timedelta(hours=3 * i)
        out.append(sms_row(LENDER, f"1360000{i:04d}", at, LOAN, i))
    for i in range(3):
        out.append(sms_row(FAKE_COP, f"1350000{i:04d}", T0 + pd.Timedelta(minutes=i), COP, i))
    for i, t in enumerate(["晚上一起吃饭吗", "明天上午十点开会", "记得带伞"]):
        out.append(sms_row(FRIEND, TRAP, T0 + pd.Timedelta(minutes=i), t, i))
    out.append(sms_row(TRAP, FRIEND, T0, None, 99))  # no content held: ignored
    out.append({**sms_row(LENDER, TRAP, T0, LOAN, 100), "direction": "MT"})  # received, not sent
    return out


def write_sms_policy(path: Path, model_dir: Path, extra: str = "") -> Policy:
    """A policy file at ``path`` enabling fraud_sms with ``model_dir`` (plus ``extra`` TOML)."""
    path.write_text(
        f'version = "sms"\n[detectors.fraud_sms]\nmodel_dir = "{model_dir}"\n{extra}', "utf-8"
    )
    return load_policy(path)
