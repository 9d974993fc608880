"""Tiny hand-made call records for the number detectors' tests.

Numbers are 11-digit strings; ``call`` writes one leg, ``talk`` writes both legs of a call
between two of our subscribers (as the operator records it). ``background`` is a small
ordinary population: people calling a few friends who answer and call back, so population
medians in the tests are those of ordinary callers.
"""

from __future__ import annotations

from itertools import count

import pandas as pd

T0 = pd.Timestamp("2026-03-02 09:00:00")
_ids = count()


def num(prefix: int, i: int) -> str:
    """An 11-digit number: 3-digit prefix then ``i`` zero-padded."""
    return f"{prefix}{i:08d}"


def call(
    msisdn: str, other: str, direction: str, at: pd.Timestamp, duration_s: int, **extra: object
) -> dict:
    return {
        "record_id": f"r{next(_ids)}",
        "msisdn": msisdn,
        "other_party": other,
        "direction": direction,
        "started_at": at,
        "duration_s": duration_s,
        **extra,
    }


def talk(
    caller: str, callee: str, at: pd.Timestamp, duration_s: int, **extra: object
) -> list[dict]:
    """Both legs of a call between two of our subscribers."""
    return [
        call(caller, callee, "MO", at, duration_s, **extra),
        call(callee, caller, "MT", at, duration_s),
    ]


def minutes(m: float) -> pd.Timedelta:
    return pd.Timedelta(minutes=m)


def background(n: int = 40, friends: int = 3, prefix: int = 138) -> list[dict]:
    """``n`` ordinary subscribers, each calling ``friends`` others who answer and call back."""
    rows: list[dict] = []
    people = [num(prefix, i) for i in range(n)]
    for i, me in enumerate(people):
        for k in range(1, friends + 1):
            friend = people[(i + k) % n]
            at = T0 + minutes(7 * i + k)
            rows += talk(me, friend, at, 60 + 10 * k)
            rows += talk(friend, me, at + pd.Timedelta(hours=5), 45)
    return rows


def subscribers(numbers: list[str], **extra: object) -> list[dict]:
    """Subscriber rows for ``numbers`` (personal, activated a year before ``T0``)."""
    return [
        {
            "msisdn": n,
            "holder_id_hash": f"h{n}",
            "holder_type": "personal",
            "activated_at": T0 - pd.Timedelta(days=365),
            **extra,
        }
        for n in numbers
    ]


def numbers_in(rows: list[dict]) -> list[str]:
    """Every served number in ``rows``."""
    return sorted({r["msisdn"] for r in rows})


def reasons(cls: type, hits: pd.DataFrame, p: object) -> list[str]:
    """The detector's reason sentence for each hit, as the lead builder formats it."""
    evidence = hits.drop(columns=["entity_id", "score", "first_seen", "last_seen"])
    params = p.model_dump()  # type: ignore[attr-defined]
    return [cls.reason.format(**r, **params) for r in evidence.to_dict("records")]
