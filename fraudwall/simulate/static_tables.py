"""The tables that are not split by day: subscribers, cells, complaints, labels."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from fraudwall.contract import TABLES
from fraudwall.simulate.geo import CITY_NAMES
from fraudwall.simulate.params import OWN_OPERATOR
from fraudwall.simulate.render import choose
from fraudwall.simulate.seeds import rng_for
from fraudwall.simulate.world import HOLDER_TYPES, NO_TIME, PERSONAL, STATUSES, World

OTHER_OPERATOR_NAMES = ("CUCC", "CTCC")


def _nullable_float(x: np.ndarray) -> pa.Array:
    return pa.array(x, pa.float64(), from_pandas=True)  # NaN -> null


def subscribers_table(world: World) -> pa.Table:
    """Own subscribers, then other operators' cards known from cross-operator ID records."""
    n = world.n
    o = world.outlets
    assert o is not None and world.imsi is not None
    own = pa.table(
        {
            "msisdn": world.numbers.take(np.arange(n)),
            "imsi": world.imsis.take(world.imsi.final()),
            "holder_id_hash": world.holders.take(world.holder),
            "holder_type": choose(world.holder_type, HOLDER_TYPES),
            "activated_at": world.timestamps(world.activated),
            "deactivated_at": world.timestamps(world.deactivated),
            "outlet_id": o.outlet_id.take(pa.array(world.outlet)),
            "agent_id": o.agent_id.take(pa.array(world.agent)),
            "kyc_face_match": _nullable_float(world.kyc),
            "home_city": choose(world.home_city, CITY_NAMES),
            "operator": pa.array(np.full(n, OWN_OPERATOR, dtype=object), pa.string()),
            "status": choose(world.status, STATUSES),
            "arpu": _nullable_float(world.arpu),
        },
        schema=TABLES["subscribers"].arrow_schema(),
    )
    oc = world.other_cards
    if not oc.number:
        return own
    num = np.concatenate(oc.number)
    k = num.size
    other = pa.table(
        {
            "msisdn": world.numbers.take(num),
            "imsi": pa.nulls(k, pa.string()),
            "holder_id_hash": world.holders.take(np.concatenate(oc.holder)),
            "holder_type": choose(np.full(k, PERSONAL), HOLDER_TYPES),
            "activated_at": world.timestamps(np.concatenate(oc.activated)),
            "deactivated_at": world.timestamps(np.full(k, NO_TIME)),
            "outlet_id": pa.nulls(k, pa.string()),
            "agent_id": pa.nulls(k, pa.string()),
            "kyc_face_match": pa.nulls(k, pa.float64()),
            "home_city": choose(np.concatenate(oc.city), CITY_NAMES),
            "operator": choose(np.concatenate(oc.operator), OTHER_OPERATOR_NAMES),
            "status": choose(np.zeros(k, np.int8), STATUSES),
            "arpu": pa.nulls(k, pa.float64()),
        },
        schema=TABLES["subscribers"].arrow_schema(),
    )
    return pa.concat_tables([own, other]).combine_chunks()


def resolve(world: World, entity_type: str, idx: np.ndarray) -> pa.Array:
    """Ids of entities as written in the data, from their book indices."""
    i = pa.array(np.asarray(idx, dtype=np.int64))
    if entity_type == "msisdn":
        return world.numbers.take(idx)
    if entity_type == "imei":
        return world.imeis.take(idx)
    if entity_type == "holder_id_hash":
        return world.holders.take(idx)
    if entity_type == "outlet_id":
        assert world.outlets is not None
        return world.outlets.outlet_id.take(i)
    if entity_type == "cell_id":
        return world.cells.cell_id.take(i)
    if entity_type == "domain":
        return pa.array(world.domains, pa.string()).take(i)
    raise ValueError(f"unknown entity type {entity_type!r}")


def labels_table(world: World) -> pa.Table:
    return world.labels.to_table(lambda et, idx: resolve(world, et, idx), world.timestamps)


def complaints_table(world: World) -> pa.Table:
    return world.complaints.to_table(
        rng_for(world.seed, "complaint_texts"), world.numbers.array, world.timestamps
    )
