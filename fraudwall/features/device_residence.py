"""Where each SIM lives: the device and the cell that carry most of a number's calls.

A SIM "resides" in the handset that carries most of its calls. SIM-box SIMs reside in the box;
a SIM lent to a repair shop for a test call still resides in its owner's phone. The same holds
for cells: a number whose calls nearly all start in one cell never moves.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from fraudwall.features.base import Feature, TableMap, feature_family
from fraudwall.features.number_devices import call_handsets

#: A number resides in a device (or cell) carrying at least this share of its calls.
RESIDENT_SHARE = 0.5

FEATURES = (
    Feature("main_imei", "handset carrying most of the number's calls", "IMEI"),
    Feature("main_imei_share", "share of the number's calls with a known handset on it", "ratio"),
    Feature("main_cell", "cell where most of the number's calls start", "cell id"),
    Feature("main_cell_share", "share of the number's calls with a known cell in it", "ratio"),
    Feature("imei_calls", "calls with a known handset", "calls"),
    Feature("cell_calls", "calls with a known cell", "calls"),
)


def main_value(
    calls: ir.Table, column: str, by: str = "msisdn", *, rows: str | None = None
) -> ir.Table:
    """Per ``by`` (a number unless told): the most frequent non-empty ``column`` value
    (``value``), its share of the rows with one (``share``) and their count (``total``).

    ``rows``: a column saying how many rows each row of an aggregated table stands for.
    """
    known = calls.filter(calls[column].notnull() & (calls[column] != ""))
    n = known[rows].sum() if rows else known.count()
    pairs = known.group_by(entity_id=known[by], value=known[column]).agg(n=n)
    total = pairs.n.sum().over(group_by=pairs.entity_id)
    # Ties go to the smaller value so that results never depend on the engine's row order.
    rank = ibis.row_number().over(group_by=pairs.entity_id, order_by=[ibis.desc("n"), "value"])
    ranked = pairs.mutate(total=total, rank=rank)
    top = ranked.filter(ranked["rank"] == 0)
    return top.select("entity_id", "value", share=top.n / top.total, total=top.total)


@feature_family(
    name="device_residence",
    entity_type="msisdn",
    requires=("calls",),
    window="ingested period",
    features=FEATURES,
)
def device_residence(t: TableMap) -> ibis.Table:
    """Each number's main handset and main cell, with the share of calls they carry."""
    c = t["calls"]
    dev = main_value(call_handsets(t), "imei", rows="n")
    cell = main_value(c, "cell_id")
    numbers = c.select(entity_id=c.msisdn).distinct()
    j = numbers.left_join(dev, "entity_id").left_join(cell, "entity_id", rname="{name}_cell")
    return j.select(
        "entity_id",
        main_imei=j.value,
        main_imei_share=j.share,
        main_cell=j.value_cell,
        main_cell_share=j.share_cell,
        imei_calls=j.total.fill_null(0),
        cell_calls=j.total_cell.fill_null(0),
    )
