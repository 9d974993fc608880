"""``fraudwall trace``, ``fraudwall rings``, ``fraudwall dens`` and ``fraudwall lookalike``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from fraudwall.cli.dbopts import fail
from fraudwall.cli.engineopts import (
    EngineOpt,
    GraphEngineOpt,
    SparkConfOpt,
    SparkMasterOpt,
    start_engine,
)
from fraudwall.cli.progress import console
from fraudwall.errors import FraudwallError
from fraudwall.graph.records import Record

WorkspaceOpt = Annotated[Path, typer.Option("--workspace", help="workspace or run directory")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON only")]


def _print(records: list[Record], as_json: bool, title: str) -> None:
    if as_json:
        typer.echo(json.dumps([r.to_dict() for r in records], ensure_ascii=False, indent=2))
        return
    t = Table(title=title)
    for col in ("#", "type", "id", "score", "why"):
        t.add_column(col)
    for i, r in enumerate(records, 1):
        members = f" [{len(r.members)} members]" if r.members else ""
        t.add_row(
            str(i), r.entity_type, r.entity_id, f"{r.score:.2f}", "; ".join(r.reasons) + members
        )
    console.print(t)


def trace(
    entity: Annotated[
        str, typer.Argument(help="number, IMEI, IMSI, holder, outlet, cell or domain")
    ],
    workspace: WorkspaceOpt,
    hops: Annotated[int, typer.Option("--hops", min=1, max=4, help="how far to trace")] = 2,
    top: Annotated[int, typer.Option("--top", min=1, help="related entities to list")] = 50,
    as_json: JsonOpt = False,
    svg: Annotated[Path | None, typer.Option("--svg", help="write a picture (SVG) here")] = None,
    engine: GraphEngineOpt = "duckdb",
    spark_master: SparkMasterOpt = None,
    spark_conf: SparkConfOpt = None,
) -> None:
    """Everything related to ENTITY, strongest first, with the path that links it."""
    from fraudwall.graph.service import trace_entity

    try:
        start_engine(engine, spark_master, spark_conf)
        records = trace_entity(
            workspace=workspace, entity=entity, hops=hops, top=top, svg=svg, engine=engine
        )
    except FraudwallError as e:
        raise fail(e) from None
    _print(records, as_json, f"relations of {entity[:3]}… within {hops} hop(s)")
    if svg is not None and not as_json:
        console.print(f"picture: {svg}")


def rings(
    workspace: WorkspaceOpt,
    as_json: JsonOpt = False,
    leads: Annotated[
        Path | None, typer.Option("--leads", help="also write fraud_ring leads (Parquet) here")
    ] = None,
    engine: GraphEngineOpt = "duckdb",
    spark_master: SparkMasterOpt = None,
    spark_conf: SparkConfOpt = None,
) -> None:
    """Fraud rings: gangs calling one list of victims from several shared handsets, their cards
    from one registration batch or resale holder (the `fraud_ring` detector's definition)."""
    from fraudwall.graph.service import ring_leads, workspace_rings

    try:
        start_engine(engine, spark_master, spark_conf)
        records = workspace_rings(workspace=workspace, engine=engine)
        if leads is not None:
            df = ring_leads(workspace=workspace, engine=engine)
            tmp = leads.with_suffix(leads.suffix + ".tmp")
            df.to_parquet(tmp, index=False)
            tmp.replace(leads)
    except FraudwallError as e:
        raise fail(e) from None
    _print(records, as_json, f"{len(records)} fraud ring(s)")


def dens(
    workspace: WorkspaceOpt,
    as_json: JsonOpt = False,
    engine: EngineOpt = "duckdb",
    spark_master: SparkMasterOpt = None,
    spark_conf: SparkConfOpt = None,
) -> None:
    """Dens: SIM-box devices and their SIMs grouped by place and time, and fixed-line trunks
    (computed from the workspace's tables on the engine, not from the graph)."""
    from fraudwall.graph.service import workspace_dens

    try:
        start_engine(engine, spark_master, spark_conf)
        records = workspace_dens(workspace=workspace, engine=engine)
    except FraudwallError as e:
        raise fail(e) from None
    _print(records, as_json, f"{len(records)} den(s)")


def lookalike(
    workspace: WorkspaceOpt,
    seeds: Annotated[Path, typer.Option("--seeds", help="file: one number or IMEI a line")],
    top: Annotated[int, typer.Option("--top", min=1, help="how many to list")] = 100,
    as_json: JsonOpt = False,
    engine: GraphEngineOpt = "duckdb",
    spark_master: SparkMasterOpt = None,
    spark_conf: SparkConfOpt = None,
) -> None:
    """Numbers that behave like the seeds (police-supplied numbers or devices)."""
    from fraudwall.graph.service import seed_lookalikes

    try:
        start_engine(engine, spark_master, spark_conf)
        records, unknown = seed_lookalikes(
            workspace=workspace, seeds_file=seeds, top=top, engine=engine
        )
    except FraudwallError as e:
        raise fail(e) from None
    if unknown:
        console.print(
            f"[yellow]{len(unknown)} seed(s) not in this workspace:[/] "
            + ", ".join(u[:3] + "…" for u in unknown[:20])
        )
    _print(records, as_json, f"{len(records)} look-alike(s)")
