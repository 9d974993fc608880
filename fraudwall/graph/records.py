"""What the graph queries return: records with masked ids, and relations said in words.

Every query answers a list of :class:`Record` (``entity_type``, ``entity_id``, ``score``,
``reasons``; a trace adds ``path``, rings and dens add ``members``). Ids in records are masked
the way :mod:`fraudwall.privacy` masks them for anyone reading a report, unless the caller may
see them (``unmasked=True``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

import pyarrow as pa

from fraudwall.graph.model import KINDS, EntityGraph
from fraudwall.privacy import mask_id, mask_ids, mask_number, mask_numbers

#: How a node type is named in words.
TYPE_WORDS = {
    "msisdn": "number",
    "imei": "device",
    "imsi": "SIM",
    "holder_id_hash": "holder",
    "outlet_id": "outlet",
    "cell_id": "cell",
    "domain": "domain",
}


def show(entity_type: str, value: str, *, unmasked: bool = False) -> str:
    """An id as a person may see it.

    >>> show("msisdn", "13812345678"), show("imei", "860000000000001"), show("cell_id", "C1")
    ('138****5678', '860*********001', 'C1')
    """
    if unmasked:
        return value
    if entity_type == "msisdn":
        return mask_number(value) or value
    if entity_type in ("imei", "imsi", "holder_id_hash"):
        return mask_id(value) or value
    return value


def show_many(entity_type: str, values: list[str], *, unmasked: bool = False) -> list[str]:
    """:func:`show` for many ids of one type, in one vectorised pass.

    >>> show_many("msisdn", ["13812345678", "10086"])
    ['138****5678', '10086']
    """
    if unmasked or not values:
        return list(values)
    arr = pa.array(values, pa.string())
    if entity_type == "msisdn":
        return [str(v) for v in mask_numbers(arr).to_pylist()]
    if entity_type in ("imei", "imsi", "holder_id_hash"):
        return [str(v) for v in mask_ids(arr).to_pylist()]
    return list(values)


def shown_names(g: EntityGraph, nodes: list[int], *, unmasked: bool = False) -> dict[int, str]:
    """:func:`show` of many nodes' ids (as written), one vectorised pass per type."""
    ids = sorted(set(nodes))
    if not ids:
        return {}
    by_type: dict[str, list[int]] = {}
    for node, t in zip(ids, g.types(ids), strict=True):
        by_type.setdefault(t, []).append(node)
    out: dict[int, str] = {}
    for t, group in by_type.items():
        values = g.displays(group)
        if unmasked or t not in ("msisdn", "imei", "imsi", "holder_id_hash"):
            masked: list[str | None] = list(values)
        else:
            arr = pa.array(values, pa.string())
            done = mask_numbers(arr) if t == "msisdn" else mask_ids(arr)
            masked = done.to_pylist()
        # as :func:`show`: an id the mask leaves empty is shown as it is
        out.update({n: m or v for n, m, v in zip(group, masked, values, strict=True)})
    return out


def _name(g: EntityGraph, node: int, t: str, unmasked: bool, names: dict[int, str] | None) -> str:
    if names is not None and node in names:
        return names[node]
    return show(t, g.displays([node])[0], unmasked=unmasked)


@dataclass
class Member:
    """One member of a ring or den."""

    entity_type: str
    entity_id: str
    role: str


@dataclass
class Record:
    """One answer of a graph query."""

    entity_type: str
    entity_id: str
    score: float
    reasons: list[str]
    path: list[dict[str, Any]] | None = None
    members: list[Member] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: node ids of the members (for evaluation and leads; not shown)
    nodes: list[int] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("nodes")
        for k in ("path", "members"):
            if d[k] is None:
                d.pop(k)
        extra = d.pop("extra")
        d.update(extra)
        d["score"] = round(float(self.score), 4)
        return d


def when(seconds: int) -> str:
    """A stored time (seconds since the epoch, naive local) as ``YYYY-MM-DD HH:MM``."""
    return (dt.datetime(1970, 1, 1) + dt.timedelta(seconds=int(seconds))).strftime("%Y-%m-%d %H:%M")


def edge_words(
    g: EntityGraph,
    e: int,
    a: int,
    b: int,
    *,
    unmasked: bool = False,
    names: dict[int, str] | None = None,
) -> str:
    """Edge ``e`` read from node ``a`` towards node ``b``, in words.

    The far end is named (masked) when it is a thing (device, holder, cell ...); a number at
    the far end is named by the path itself. ``names`` (from :func:`shown_names`) saves
    masking the name again.
    """
    kind = KINDS[int(g.kind[e])]
    n = int(g.n[e])
    ta, tb = g.types([a, b])
    other = b if tb != "msisdn" else a
    ot = tb if other == b else ta
    name = _name(g, other, ot, unmasked, names)
    if kind == "call":
        mins = int(g.talk_s[e]) // 60
        return f"{n} call(s) between them, {mins} min of talk"
    if kind == "device":
        if ta == "msisdn":
            return f"used device {name} ({n} records)"
        return f"used this device ({n} records)"
    if kind == "sim":
        return f"SIM {name} seen behind it"
    if kind == "holder":
        return f"registered to holder {name}"
    if kind == "outlet":
        return f"registered at outlet {name} on {when(int(g.first_s[e]))}"
    if kind == "co_registration":
        gap = max(1, round(int(g.talk_s[e]) / 60))
        return f"registered at the same outlet within {gap} minute(s)"
    if kind == "cell":
        return f"active in cell {name} ({float(g.weight[e]):.0%} of its records)"
    if kind == "colocation":
        return f"in the same cell in the same hour {n} times"
    if kind == "shared_victim":
        return f"called {n} of the same strangers"
    if kind == "domain":
        return f"visited domain {name} ({n} sessions)"
    return kind


def shares_words(
    g: EntityGraph,
    e1: int,
    mid: int,
    e2: int,
    *,
    unmasked: bool = False,
    names: dict[int, str] | None = None,
) -> str:
    """Two edges through a shared thing, in words: ``shares device 86…12 with ...``."""
    t = g.types([mid])[0]
    name = _name(g, mid, t, unmasked, names)
    k1, k2 = KINDS[int(g.kind[e1])], KINDS[int(g.kind[e2])]
    if t == "outlet_id" and k1 == k2 == "outlet":
        gap = abs(int(g.first_s[e1]) - int(g.first_s[e2])) // 60
        return f"registered at the same outlet {name} {gap} minute(s) apart"
    word = {"holder_id_hash": "registration holder"}.get(t, TYPE_WORDS.get(t, t))
    return f"shares {word} {name}"
