"""Measuring leads against known outcomes: precision, recall and F1 per scenario and detector.

A lead of scenario S on entity E is a true positive when the labels say E is S. A false
positive is explained by what the labels do say of E: a kind of legitimate behaviour
(``benign`` rows' ``detail``, e.g. ``call_centre``), another scenario, or nothing
(``unlabelled``).

By default only leads an analyst acts on count (risk level ``medium`` or ``high``); ``low``
leads are watch-list material. Pass ``min_level="low"`` to measure every lead.

Hard negatives (``benign`` rows) are reported per kind at every risk level, whatever
``min_level`` is: how many of each kind were flagged, at which level, by which detector.

Entities the run was *given* (the ``labels`` input table, e.g. police feedback) are not
findings. Pass them as ``given``: ``by_scenario`` then also counts, per scenario, the true
instances that were given, and ``found``/``recall_found``/``precision_found`` exclude given
entities and entities whose every lead comes from a detector in ``label_detectors`` (the
detectors that read the ``labels`` table, whose leads are reachable only through it).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from fraudwall.errors import InputError


@dataclass
class Evaluation:
    by_scenario: pd.DataFrame
    by_detector: pd.DataFrame
    false_positives: pd.DataFrame
    min_level: str = "medium"
    hard_negatives: pd.DataFrame | None = None
    #: run the leads belong to (``run_id`` of the leads), recorded so a report never shows
    #: the evaluation of another run
    run_id: str | None = None
    given: int = 0
    #: the trained models the run's detectors read, by detector (``models`` of ``run.json``),
    #: so figures of a model-driven detector say which model made them
    models: dict[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        hn = self.hard_negatives
        return {
            "run_id": self.run_id,
            "models": self.models,
            "min_level": self.min_level,
            "given_entities": self.given,
            "hard_negatives": [] if hn is None else hn.to_dict("records"),
            "by_scenario": self.by_scenario.to_dict("records"),
            "by_detector": self.by_detector.to_dict("records"),
            "false_positives": self.false_positives.to_dict("records"),
        }


def read_labels(path: str | Path) -> pd.DataFrame:
    """Read a labels table (Parquet or CSV) with at least entity_type, entity_id, label."""
    p = Path(path)
    if not p.exists():
        raise InputError("no such labels file", file=str(p))
    df = pd.read_parquet(p) if p.suffix == ".parquet" else pd.read_csv(p, dtype=str)
    missing = {"entity_type", "entity_id", "label"} - set(df.columns)
    if missing:
        raise InputError(f"labels need columns {sorted(missing)}", file=str(p))
    if "detail" not in df.columns:
        df["detail"] = None
    return df.astype({"entity_type": "string", "entity_id": "string", "label": "string"})


def _prf(tp: pd.Series, fp: pd.Series, fn: pd.Series) -> pd.DataFrame:
    precision = tp / (tp + fp).where(tp + fp > 0)
    recall = tp / (tp + fn).where(tp + fn > 0)
    f1 = 2 * precision * recall / (precision + recall).where(precision + recall > 0)
    return pd.DataFrame({"precision": precision, "recall": recall, "f1": f1}).round(4)


LEVELS = ("low", "medium", "high")


def evaluate(
    leads: pd.DataFrame,
    labels: pd.DataFrame,
    *,
    min_level: str = "medium",
    given: pd.DataFrame | None = None,
    label_detectors: frozenset[str] = frozenset(),
) -> Evaluation:
    """Score leads against labels (see the module docstring)."""
    if min_level not in LEVELS:
        raise ValueError(f"min_level must be one of {LEVELS}")
    run_ids = leads["run_id"].dropna().unique() if "run_id" in leads.columns else []
    run_id = str(run_ids[0]) if len(run_ids) == 1 else None
    hard = hard_negatives(leads, labels)
    if "risk_level" in leads.columns:
        leads = leads[leads["risk_level"].isin(LEVELS[LEVELS.index(min_level) :])]
    key = ["entity_type", "entity_id"]
    truth = labels.loc[labels["label"] != "benign", [*key, "label"]].drop_duplicates()
    truth = truth.rename(columns={"label": "scenario"})
    truth["truth"] = True

    pred = leads[[*key, "scenario"]].drop_duplicates()
    scen = pred.merge(truth, on=[*key, "scenario"], how="outer", indicator=True)
    counts = scen.groupby("scenario")["_merge"].value_counts().unstack(fill_value=0)
    counts = counts.reindex(columns=["both", "left_only", "right_only"], fill_value=0)
    tp, fp, fn = counts["both"], counts["left_only"], counts["right_only"]
    by_scenario = pd.concat(
        [
            pd.DataFrame({"leads": tp + fp, "truth": tp + fn, "tp": tp, "fp": fp, "fn": fn}),
            _prf(tp, fp, fn),
        ],
        axis=1,
    ).reset_index()

    det = leads[[*key, "scenario", "detector"]].drop_duplicates()
    det = det.merge(truth, on=[*key, "scenario"], how="left")
    det["truth"] = det["truth"].astype("boolean").fillna(False)
    g = det.groupby(["detector", "scenario"])
    d_tp = g["truth"].sum()
    d_fp = g["truth"].count() - d_tp
    n_truth = truth.groupby("scenario").size()
    d_fn = n_truth.reindex(d_tp.index.get_level_values("scenario")).fillna(0).to_numpy() - d_tp
    by_detector = pd.concat(
        [pd.DataFrame({"leads": d_tp + d_fp, "tp": d_tp, "fp": d_fp}), _prf(d_tp, d_fp, d_fn)],
        axis=1,
    ).reset_index()

    fps = scen.loc[scen["_merge"] == "left_only", [*key, "scenario"]]
    kinds = labels.assign(
        kind=labels["detail"].where(labels["label"] == "benign").fillna("other:" + labels["label"])
    )[[*key, "kind"]].drop_duplicates(subset=key)
    fps = fps.merge(kinds, on=key, how="left").fillna({"kind": "unlabelled"})
    false_positives = (
        fps.groupby(["scenario", "kind"])
        .size()
        .rename("count")
        .reset_index()
        .sort_values(["scenario", "count"], ascending=[True, False], ignore_index=True)
    )
    n_given = 0
    if given is not None:
        by_scenario, n_given = _found(by_scenario, leads, truth, given, label_detectors)
    return Evaluation(by_scenario, by_detector, false_positives, min_level, hard, run_id, n_given)


def _found(
    by_scenario: pd.DataFrame,
    leads: pd.DataFrame,
    truth: pd.DataFrame,
    given: pd.DataFrame,
    label_detectors: frozenset[str],
) -> tuple[pd.DataFrame, int]:
    """Add ``given``, ``found`` and found-only precision/recall columns to ``by_scenario``."""
    key = ["entity_type", "entity_id"]
    g = given[key].astype("string").drop_duplicates().assign(_given=True)
    own = leads.loc[~leads["detector"].isin(label_detectors), [*key, "scenario"]]
    own = own.drop_duplicates().merge(g, on=key, how="left")
    own = own[own["_given"].isna()].drop(columns="_given")  # found, not given
    t = truth.merge(g, on=key, how="left")
    t["_given"] = t["_given"].astype("boolean").fillna(False)
    m = own.merge(t, on=[*key, "scenario"], how="left")
    m["truth"] = m["truth"].astype("boolean").fillna(False)
    n_given_truth = t[t["_given"]].groupby("scenario").size()
    n_open = t[~t["_given"]].groupby("scenario").size()
    found = m.groupby("scenario")["truth"].agg(["sum", "count"])
    out = by_scenario.set_index("scenario")
    out["given"] = n_given_truth.reindex(out.index).fillna(0).astype(int)
    out["found"] = found["sum"].reindex(out.index).fillna(0).astype(int)
    wrong = (found["count"] - found["sum"]).reindex(out.index).fillna(0)
    open_truth = n_open.reindex(out.index).fillna(0)
    out["precision_found"] = (
        out["found"] / (out["found"] + wrong).where(out["found"] + wrong > 0)
    ).round(4)
    out["recall_found"] = (out["found"] / open_truth.where(open_truth > 0)).round(4)
    return out.reset_index(), len(g)


def hard_negatives(leads: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """Per kind of hard negative: instances, how many were flagged at any level, at each level
    (an entity counts at its highest level) and by which detectors (``detector: count``).

    An entity that the labels also give a scenario is not a negative and is left out.
    """
    key = ["entity_type", "entity_id"]
    cols = ["kind", "instances", "flagged", "low", "medium", "high", "share_flagged", "detectors"]
    benign = labels.loc[labels["label"] == "benign", [*key, "detail"]].dropna(subset=["detail"])
    positive = labels.loc[labels["label"] != "benign", key].drop_duplicates()
    benign = benign.merge(positive.assign(_pos=True), on=key, how="left")
    benign = benign[benign["_pos"].isna()].drop(columns="_pos").drop_duplicates()
    benign = benign.rename(columns={"detail": "kind"})
    if benign.empty:
        return pd.DataFrame(columns=cols)
    lv = leads[[*key, "detector"]].copy()
    level = leads["risk_level"] if "risk_level" in leads.columns else pd.Series("high", leads.index)
    lv["rank"] = level.map({name: i for i, name in enumerate(LEVELS)}).fillna(2).astype(int)
    lv = lv.astype({"entity_type": "string", "entity_id": "string"})
    hit = benign.merge(lv, on=key, how="inner")
    top = hit.groupby(["kind", *key])["rank"].max().reset_index()
    per_level = top.groupby(["kind", "rank"]).size().unstack(fill_value=0)
    per_level = per_level.reindex(columns=range(len(LEVELS)), fill_value=0)
    per_level.columns = list(LEVELS)
    dets = (
        hit.drop_duplicates(["kind", *key, "detector"])
        .groupby(["kind", "detector"])
        .size()
        .reset_index(name="n")
        .sort_values(["kind", "n"], ascending=[True, False])
    )
    dets["text"] = dets["detector"].astype(str) + ": " + dets["n"].astype(str)
    det_text = dets.groupby("kind")["text"].agg(", ".join)
    out = benign.groupby("kind").size().rename("instances").to_frame()
    out = out.join(per_level).fillna(0)
    for c in LEVELS:
        out[c] = out[c].astype(int)
    out["flagged"] = out[list(LEVELS)].sum(axis=1)
    out["share_flagged"] = (out["flagged"] / out["instances"]).round(4)
    out["detectors"] = det_text.reindex(out.index).fillna("")
    return out.reset_index()[cols]


def label_reading_detectors() -> frozenset[str]:
    """Names of the library's detectors that read the ``labels`` input table."""
    from fraudwall.detectors import load_library

    return frozenset(n for n, cls in load_library().items() if "labels" in cls.requires)


def _given_labels(run_dir: Path, given: Path | None) -> pd.DataFrame | None:
    """The labels the run was given: ``given`` if named, else the run workspace's ``labels``."""
    if given is not None:
        return read_labels(given)
    workspace = run_dir
    run_json = run_dir / "run.json"
    if run_json.exists():
        ws = json.loads(run_json.read_text("utf-8")).get("workspace")
        workspace = Path(ws) if ws else run_dir
    stored = workspace / "store" / "labels"
    if not stored.is_dir() or not any(stored.rglob("*.parquet")):
        return None
    df = pd.read_parquet(stored, columns=["entity_type", "entity_id"])
    # The store keeps numbers normalised; leads show them as the operator wrote them.
    from fraudwall.pipeline import display_ids
    from fraudwall.store import Workspace

    df = display_ids(df, Workspace(workspace))
    return df.astype({"entity_type": "string", "entity_id": "string"})


def evaluate_run(
    *,
    run_dir: str | Path,
    labels: str | Path,
    min_level: str = "medium",
    given: str | Path | None = None,
    rewrite_report: bool = True,
) -> Evaluation:
    """Evaluate a run directory against a truth table and record the result in it.

    Writes ``run_dir/evaluation.json`` (with the run id of the leads it measured) and, when
    ``rewrite_report`` and the run has a ``run.json``, rewrites ``report.html`` so the report
    shows this evaluation. The entities the run was given (``given``, by default the ``labels``
    table in the run's workspace) are separated from what was found.
    """
    run = Path(run_dir)
    leads_path = run / "leads.parquet"
    if not leads_path.exists():
        raise InputError("no leads.parquet; run `fraudwall run` first", file=str(leads_path))
    if min_level not in LEVELS:
        raise InputError(f"--min-level must be one of {', '.join(LEVELS)}", field="min_level")
    truth = read_labels(labels)
    leads = pd.read_parquet(leads_path)
    ev = evaluate(
        leads,
        truth,
        min_level=min_level,
        given=_given_labels(run, Path(given) if given is not None else None),
        label_detectors=label_reading_detectors(),
    )
    run_json = run / "run.json"
    if run_json.exists():
        summary = json.loads(run_json.read_text("utf-8"))
        ev.run_id = ev.run_id or summary.get("run_id")
        ev.models = summary.get("models", {})
    body = json.dumps(ev.to_dict(), indent=2, default=str)
    tmp = run / f".evaluation.json.{uuid.uuid4().hex}.tmp"
    tmp.write_text(body, "utf-8")
    tmp.replace(run / "evaluation.json")
    if rewrite_report and run_json.exists():
        from fraudwall.report.rerender import rewrite_report as rewrite

        rewrite(run)
    return ev
