"""Ground truth of the simulated world: every planted instance and every hard benign case.

Labels are collected as integer entity indices while the world is built and generated, and
turned into strings (exactly as written in the data) only when ``labels.parquet`` is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from fraudwall.contract import SCENARIOS, TABLES

SOURCE = "simulator"
#: Finer kinds of the ``benign`` label: legitimate behaviour that looks like a scenario.
BENIGN_KINDS = (
    "call_centre",
    "delivery_driver",
    "sales",
    "phone_changed_once",
    "lost_sim_once",
    "traveller",
    "family_cards",
    "enterprise_cards",
    "flagship_outlet",
    "promotion_day",
    "heavy_social",
    "iot_platform",
    "notification_sender",
    "inbound_line",
    "survey_line",
    "border_traveller",
    "shared_device",
    "second_hand_phone",
    "iot_fleet",
    "hung_up_callee",
    "listened_to_fraudster",
    "dormant_returned",
)


@dataclass
class Labels:
    """Collects label rows: ``(entity_type, entity index, label, at, detail)``."""

    _parts: list[tuple[str, np.ndarray, str, np.ndarray, np.ndarray]] = field(default_factory=list)

    def add(
        self,
        entity_type: str,
        idx: np.ndarray | int,
        label: str,
        at: np.ndarray | int,
        detail: np.ndarray | str | None = None,
    ) -> None:
        """Label entities ``idx`` (indices into the book of ``entity_type``) with ``label``."""
        if label != "benign":
            expected = SCENARIOS[label].entity_type
            if entity_type != expected:
                raise ValueError(f"{label} labels {expected}, not {entity_type}")
        elif detail not in BENIGN_KINDS:
            raise ValueError(f"unknown benign kind {detail!r}")
        ids = np.atleast_1d(np.asarray(idx, dtype=np.int64))
        n = ids.size
        at_arr = np.broadcast_to(np.asarray(at, dtype=np.int64), (n,)).copy()
        det = np.broadcast_to(np.asarray(detail, dtype=object), (n,)).copy()
        self._parts.append((entity_type, ids, label, at_arr, det))

    def to_table(
        self,
        resolve: Callable[[str, np.ndarray], pa.Array],
        to_timestamp: Callable[[np.ndarray], pa.Array],
    ) -> pa.Table:
        """The ``labels`` table; ``resolve(entity_type, idx)`` gives the ids as written."""
        cols: dict[str, list[pa.Array]] = {n: [] for n in TABLES["labels"].names}
        for etype, ids, lab, at, det in self._parts:
            n = ids.size
            cols["entity_type"].append(pa.array([etype] * n, pa.string()))
            cols["entity_id"].append(resolve(etype, ids))
            cols["label"].append(pa.array([lab] * n, pa.string()))
            cols["source"].append(pa.array([SOURCE] * n, pa.string()))
            cols["at"].append(to_timestamp(at))
            cols["detail"].append(pa.array(det, pa.string(), from_pandas=True))
        table = pa.table(
            {k: pa.concat_arrays(v) for k, v in cols.items()},
            schema=TABLES["labels"].arrow_schema(),
        )
        # One row per (entity, label, detail): an entity planted twice keeps the earliest.
        return (
            table.group_by(
                ["entity_type", "entity_id", "label", "source", "detail"], use_threads=False
            )
            .aggregate([("at", "min")])
            .rename_columns(["entity_type", "entity_id", "label", "source", "detail", "at"])
            .select(TABLES["labels"].names)
            .sort_by([(k, "ascending") for k in ("label", "detail", "entity_type", "entity_id")])
        )
