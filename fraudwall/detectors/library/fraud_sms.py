"""Fraud SMS: senders of messages whose content the SMS classifier calls fraud."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir
import pandas as pd
from pydantic import Field

from fraudwall.detectors.base import Context, Detector, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library._grading import STRONG

if TYPE_CHECKING:
    from fraudwall.content.classifier import SmsClassifier

#: Characters of a message quoted in a reason (masked first).
SAMPLE_CHARS = 60
RELATED = 5


@cache
def _load(model_dir: str) -> SmsClassifier:
    from fraudwall.content.model_dir import load

    return load(Path(model_dir))


class FraudSms(Detector):
    """Classifies the content of every sent message the operator lawfully holds
    (`sms.content`: reported samples, spam-trap numbers) with the SMS classifier from
    `fraudwall sms train`, and flags the senders of messages it puts in a fraud class (any
    class but the model's fallback, normally `normal`). The text is normalised first, so
    full-width letters, traditional characters, symbols between characters and homophones do
    not hide it. The reason quotes a masked sample; the evidence carries counts, first and last
    seen, the masked numbers texted and the domains, numbers and WeChat / QQ ids in the
    messages. Runs only when the policy names a model directory."""

    name = "fraud_sms"
    scenario = "fraud_sms"
    requires = ("sms",)
    signal = "fraud_content"
    reason = (
        "{fraud_messages} of {messages} messages with content classified {fraud_class} "
        "(mean score {mean_score:.0%}), sent to {recipients} numbers; sample: 「{sample}」"
    )

    class Params(BaseParams):
        model_dir: str = Field("", description="directory of a model from `fraudwall sms train`")
        min_fraud_messages: int = threshold(
            1, "fraud-classified messages a sender needs", basis="absolute", ge=1
        )
        min_score: float = threshold(
            0.0,
            "least calibrated score of a message counted as fraud (on top of the model's own "
            "per-class threshold)",
            basis="absolute",
            ge=0,
            le=1,
        )

    @classmethod
    def skip_reason(cls, p: FraudSms.Params) -> str | None:
        if not p.model_dir:
            return "no model configured (policy detectors.fraud_sms.model_dir)"
        if not (Path(p.model_dir) / "card.json").exists():
            return f"no model at {p.model_dir}"
        return None

    def find(self, ctx: Context, p: FraudSms.Params) -> ir.Table:
        s = ctx.tables["sms"]
        s = s.filter((s.direction == "MO") & s.content.notnull() & (s.content.strip() != ""))
        rows = s.select("msisdn", "other_party", "sent_at", "content").execute()
        return ibis.memtable(flag_senders(rows, _load(p.model_dir), p), schema=HIT_SCHEMA)


HIT_SCHEMA = ibis.schema(
    {
        "entity_id": "string",
        "score": "float64",
        "first_seen": "timestamp",
        "last_seen": "timestamp",
        "messages": "int64",
        "fraud_messages": "int64",
        "fraud_class": "string",
        "mean_score": "float64",
        "recipients": "int64",
        "sample": "string",
        "related_numbers": "string",
        "domains": "string",
        "contacts": "string",
        "per_day": "string",
    }
)


def flag_senders(rows: pd.DataFrame, model: SmsClassifier, p: FraudSms.Params) -> pd.DataFrame:
    """One row per sender with enough fraud-classified messages (see :class:`FraudSms`)."""
    from fraudwall.content.extract import extract
    from fraudwall.privacy import mask_numbers, scrub_text

    cols = list(HIT_SCHEMA.names)
    if rows.empty:
        return pd.DataFrame(columns=cols)
    # Spam repeats one text to many numbers: classify each distinct text once.
    texts = pd.Series(rows["content"].unique())
    verdict = model.classify(texts.tolist(), reasons=0)
    verdict.index = texts
    rows = rows.assign(
        label=verdict["label"].reindex(rows["content"]).to_numpy(),
        p=verdict["score"].reindex(rows["content"]).to_numpy(),
    )
    total = rows.groupby("msisdn").size().rename("messages")
    fraud = rows[(rows["label"] != model.fallback) & (rows["p"] >= p.min_score)]
    if fraud.empty:
        return pd.DataFrame(columns=cols)
    fraud = fraud.sort_values(["msisdn", "sent_at", "other_party"], kind="stable")
    g = fraud.groupby("msisdn", sort=True)
    out = pd.DataFrame(
        {
            "fraud_messages": g.size(),
            "fraud_class": g["label"].agg(lambda x: x.value_counts().index[0]),
            "mean_score": g["p"].mean(),
            "recipients": g["other_party"].nunique(),
            "first_seen": g["sent_at"].min(),
            "last_seen": g["sent_at"].max(),
            "sample": g["content"].first(),
        }
    ).join(total)
    out = out[out["fraud_messages"] >= p.min_fraud_messages]
    if out.empty:
        return pd.DataFrame(columns=cols)
    firsts = fraud.drop_duplicates(["msisdn", "other_party"]).groupby("msisdn")["other_party"]
    related = firsts.agg(lambda x: list(x)[:RELATED]).reindex(out.index)
    out["related_numbers"] = [", ".join(mask_numbers(pd.Series(r)).tolist()) for r in related]
    found = {t: extract(t) for t in fraud["content"].unique()}
    per = fraud.groupby("msisdn")["content"].agg(lambda x: list(dict.fromkeys(x)))
    per = per.reindex(out.index)
    out["domains"] = [", ".join(_union(found[t].domains for t in ts)[:RELATED]) for ts in per]
    out["contacts"] = [
        ", ".join(
            _union(
                [*mask_numbers(pd.Series(found[t].phones, dtype=object)).tolist()]
                + [f"wechat:{w}" for w in found[t].wechat]
                + [f"qq:{q}" for q in found[t].qq]
                for t in ts
            )[:RELATED]
        )
        for ts in per
    ]
    fraud = fraud.assign(day=fraud["sent_at"].dt.strftime("%Y-%m-%d"))
    days = fraud.groupby(["msisdn", "day"]).agg(
        n=("sent_at", "size"), t0=("sent_at", "min"), t1=("sent_at", "max")
    )
    days["text"] = (
        days.index.get_level_values("day")
        + "|"
        + days["n"].astype(str)
        + "|"
        + days["t0"].dt.strftime("%Y-%m-%dT%H:%M:%S")
        + "|"
        + days["t1"].dt.strftime("%Y-%m-%dT%H:%M:%S")
    )
    out["per_day"] = days.groupby(level="msisdn")["text"].agg(";".join).reindex(out.index)
    # Mask before cutting, so a number split by the cut is masked too.
    sample = scrub_text(out["sample"].str.replace(r"\s+", " ", regex=True))
    out["sample"] = sample.str.slice(0, SAMPLE_CHARS).tolist()
    mean = out["mean_score"].astype("float64")
    strength_msgs = ((out["fraud_messages"] - p.min_fraud_messages) / 9).clip(0, 1)
    lo, hi = STRONG
    out["score"] = lo + (hi - lo) * (0.5 * mean + 0.5 * strength_msgs)
    out = out.reset_index(names="entity_id")
    out["mean_score"] = mean.round(4).to_numpy()
    return out[cols]


def _union(lists: object) -> list[str]:
    seen: dict[str, None] = {}
    for lst in lists:  # type: ignore[attr-defined]
        for x in lst:
            seen.setdefault(str(x), None)
    return list(seen)
