"""``fraudwall screen``: check one call, serve the call-path worker, replay a data directory."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from fraudwall.cli.dbopts import DbOpt, JsonOpt, fail
from fraudwall.cli.progress import console, progress
from fraudwall.errors import FraudwallError

if TYPE_CHECKING:
    from fraudwall.screening.lookups import DictProfiles

app = typer.Typer(help="Real-time call screening.", no_args_is_help=True)

PolicyOpt = Annotated[Path | None, typer.Option("--policy", help="policy file ([screening])")]
StateOpt = Annotated[
    str | None,
    typer.Option("--state", help="state store: memory (default) or redis://host:port/db"),
]
ListsOpt = Annotated[
    Path | None,
    typer.Option("--lists", help="blacklist CSV kind,value[,list] (default: the case database's)"),
]
RiskOpt = Annotated[Path | None, typer.Option("--risk", help="run directory with risk.parquet")]


@app.command("check")
def check(
    caller: Annotated[str, typer.Argument(help="calling number")],
    callee: Annotated[str, typer.Argument(help="called number")],
    at: Annotated[
        str | None, typer.Option("--at", help="set-up time, ISO 8601 (default now)")
    ] = None,
    policy: PolicyOpt = None,
    state: StateOpt = None,
    lists: ListsOpt = None,
    risk: RiskOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Decide one call as the call path would (with --state redis://… it counts in the shared
    live state like a real set-up)."""
    from fraudwall.screening.service import ScreenConfig, build_engine

    try:
        when = datetime.fromisoformat(at) if at else datetime.now(UTC)
    except ValueError:
        raise fail(FraudwallError(f"--at: not an ISO 8601 time: {at!r}")) from None
    try:
        cfg = ScreenConfig(policy=policy, state=state, lists=lists, risk=risk, database_url=db)
        d = build_engine(cfg).screen(caller, callee, when)
    except FraudwallError as e:
        raise fail(e) from None
    if as_json:
        typer.echo(json.dumps(d.to_dict(), ensure_ascii=False))
        return
    extra = f" {d.sip_code}" if d.sip_code else ""
    label = f" [{d.label}]" if d.label else ""
    typer.echo(f"{d.action.value}{extra}{label} rule={d.rule} " + "; ".join(d.reasons))


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host", help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="port to listen on")] = 8090,
    policy: PolicyOpt = None,
    state: StateOpt = None,
    lists: ListsOpt = None,
    risk: RiskOpt = None,
    db: DbOpt = None,
    snapshot: Annotated[
        Path | None, typer.Option("--snapshot", help="in-process state snapshot file")
    ] = None,
    snapshot_every: Annotated[
        float,
        typer.Option(
            "--snapshot-every",
            min=1.0,
            help="seconds between snapshots (decisions wait while one is written)",
        ),
    ] = 300.0,
    max_callers: Annotated[
        int, typer.Option("--max-callers", min=1, help="bound of the in-process state")
    ] = 12_000_000,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level")] = "warning",
    keep_alive: Annotated[
        int,
        typer.Option(
            "--keep-alive", min=1, help="seconds an idle kept-alive connection stays open"
        ),
    ] = 75,  # fraudwall.screening.server.KEEP_ALIVE_S (not imported: it imports uvicorn)
) -> None:
    """Serve POST /v1/screen for the call path (one process, one core; run one per core)."""
    import uvicorn

    from fraudwall.screening.app import create_worker_app
    from fraudwall.screening.server import worker_config
    from fraudwall.screening.service import ScreenConfig

    try:
        cfg = ScreenConfig.from_env(
            policy=policy, state=state, lists=lists, risk=risk, database_url=db,
            snapshot=snapshot, max_callers=max_callers,
        )  # fmt: skip
        application = create_worker_app(cfg, snapshot_s=snapshot_every, freeze_heap=True)
    except FraudwallError as e:
        raise fail(e) from None
    config = worker_config(
        application, host=host, port=port, log_level=log_level, keep_alive_s=keep_alive
    )
    server = uvicorn.Server(config)
    server.run()
    if not server.started:  # e.g. the port is taken: uvicorn has logged why
        raise typer.Exit(3)


@app.command("replay")
def replay(
    data: Annotated[Path, typer.Option("--data", help="data directory (calls/ or calls.parquet)")],
    risk: RiskOpt = None,
    decisions: Annotated[
        Path | None, typer.Option("--decisions", help="write every decision to this Parquet file")
    ] = None,
    policy: PolicyOpt = None,
    lists: ListsOpt = None,
    truth: Annotated[
        Path | None,
        typer.Option(
            "--truth", help="truth labels (default: DATA/truth/labels.parquet if present)"
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Feed DATA's MO calls in time order through the engine (no look-ahead) and report, per
    scenario, calls before the first block, share stopped and false blocks per million."""
    from fraudwall.screening.engine import Engine
    from fraudwall.screening.lookups import DictRisk, SetLists
    from fraudwall.screening.replay import evaluate, load_calls, write_decisions
    from fraudwall.screening.replay import replay as run_replay
    from fraudwall.screening.service import load_screening_policy
    from fraudwall.screening.stores import MemoryStore

    try:
        pol = load_screening_policy(policy)
        risk_lookup = DictRisk.from_run(risk) if risk else None
        engine = Engine(
            policy=pol,
            state=MemoryStore(ttl_minutes=pol.state_ttl_minutes),
            lists=SetLists.from_file(lists) if lists else SetLists(),
            risk=risk_lookup,
            profiles=_profiles(data),
        )
        calls = load_calls(data)
        with progress() as bar:
            task = bar.add_task("replaying calls", total=calls.num_rows)
            result = run_replay(engine, calls, on_progress=lambda k: bar.advance(task, k))
        if decisions is not None:
            write_decisions(result.decisions, decisions)
        truth_path = truth or data / "truth" / "labels.parquet"
        report: dict[str, object] = {"calls": result.calls}
        if truth_path.exists():
            risky = set(risk_lookup.by_number) if risk_lookup is not None else set()
            report = evaluate(result.decisions, truth_path, risky=risky)
        elif truth is not None:
            raise FraudwallError(f"{truth}: no such truth file")
    except FraudwallError as e:
        raise fail(e) from None
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    _print_report(report)


def _profiles(data: Path) -> DictProfiles | None:
    """Registration profiles from DATA's subscribers table, when there is one."""
    from fraudwall.screening.lookups import DictProfiles

    for candidate in (data / "subscribers.parquet", data / "subscribers"):
        if candidate.exists():
            return DictProfiles.from_table(candidate)
    return None


def _print_report(report: dict[str, object]) -> None:
    from rich.console import Console
    from rich.table import Table

    out = Console()
    scen = report.get("scenarios")
    if isinstance(scen, dict):
        t = Table(title=f"replay of {report['calls']:,} calls")
        for c in ("scenario", "numbers", "calls", "blocked nos", "before block p50/p90",
                  "before block|label p50/p90", "calls blocked", "blocked|labelled"):  # fmt: skip
            t.add_column(c)

        def q(v: object) -> str:
            return "never" if v is None else f"{v:g}"

        for name, r in scen.items():
            t.add_row(
                name, str(r["numbers"]), str(r["calls"]), str(r["numbers_blocked"]),
                f"{q(r['calls_before_block_median'])} / {q(r['calls_before_block_p90'])}",
                f"{q(r['calls_before_block_or_label_median'])} / "
                f"{q(r['calls_before_block_or_label_p90'])}",
                f"{r['share_calls_blocked']:.1%}", f"{r['share_calls_blocked_or_labelled']:.1%}",
            )  # fmt: skip
        out.print(t)
        legit = report["legitimate"]
        assert isinstance(legit, dict)
        out.print(
            f"legitimate: {legit['calls']:,} calls, {legit['false_blocks_per_million']:.1f} false "
            f"blocks and {legit['false_labels_per_million']:.1f} false labels per million "
            f"(rules: {legit['rules']})"
        )
    else:
        console.print(f"replayed {report['calls']:,} calls (no truth labels to judge against)")
