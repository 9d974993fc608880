"""Complaints filed by subscribers: mostly about planted bad actors, some noise about anyone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from fraudwall.contract import TABLES
from fraudwall.simulate.ids import digit_strings

#: A few short complaint texts per category (what a call-centre agent would type).
TEXTS: dict[str, tuple[str, ...]] = {
    "fraud": (
        "对方自称客服，要求退款需先转账",
        "自称公安局民警，说我涉嫌洗钱，要求转账到安全账户",
        "推荐投资理财平台，充值后无法提现",
        "刷单返利，先垫付后被拉黑",
        "无抵押贷款，要求先交保证金",
        "冒充快递理赔，索要银行卡验证码",
    ),
    "harassment": (
        "反复来电骚扰，接通后不说话",
        "每天多次来电，深夜也打",
        "被陌生号码持续骚扰，已拒接仍继续拨打",
    ),
    "spam": (
        "收到大量推销短信",
        "响一声就挂断，回拨后收费",
        "自动语音推销电话",
        "频繁推销贷款和保险",
    ),
    "other": ("来电无声", "号码疑似诈骗，请核实", "对方态度恶劣"),
}


@dataclass
class Complaints:
    """Collects complaints as number-book indices; ids are given in time order when written."""

    _parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, str]] = field(default_factory=list)

    def add(
        self, reporter: np.ndarray, reported: np.ndarray, at: np.ndarray, category: str
    ) -> None:
        """File complaints by ``reporter[i]`` about ``reported[i]`` at ``at[i]`` (seconds)."""
        if category not in TEXTS:
            raise ValueError(f"unknown complaint category {category!r}")
        rep = np.asarray(reporter, dtype=np.int64)
        if rep.size:
            self._parts.append(
                (
                    rep,
                    np.asarray(reported, dtype=np.int64),
                    np.asarray(at, dtype=np.int64),
                    category,
                )
            )

    def __len__(self) -> int:
        return sum(p[0].size for p in self._parts)

    def to_table(
        self,
        rng: np.random.Generator,
        numbers: pa.StringArray,
        to_timestamp: Callable[[np.ndarray], pa.Array],
    ) -> pa.Table:
        """The ``complaints`` table, sorted by time, with ids ``CP00000001``..."""
        schema = TABLES["complaints"].arrow_schema()
        if not self._parts:
            return schema.empty_table()
        rep = np.concatenate([p[0] for p in self._parts])
        tgt = np.concatenate([p[1] for p in self._parts])
        at = np.concatenate([p[2] for p in self._parts])
        cats = np.concatenate([np.full(p[0].size, p[3], dtype=object) for p in self._parts])
        texts = np.empty(rep.size, dtype=object)
        for cat, options in TEXTS.items():  # a loop over four categories
            sel = np.flatnonzero(cats == cat)
            texts[sel] = np.array(options, dtype=object)[rng.integers(0, len(options), sel.size)]
        order = np.lexsort((tgt, rep, at))
        return pa.table(
            {
                "complaint_id": digit_strings(np.arange(1, rep.size + 1), 8, b"CP"),
                "reporter_msisdn": numbers.take(pa.array(rep[order])),
                "reported_number": numbers.take(pa.array(tgt[order])),
                "at": to_timestamp(at[order]),
                "category": pa.array(cats[order], pa.string()),
                "text": pa.array(texts[order], pa.string()),
            },
            schema=schema,
        )
