"""``fraudwall serve``: run the service (FastAPI on uvicorn)."""

from __future__ import annotations

from typing import Annotated

import typer

from fraudwall.cli.dbopts import fail
from fraudwall.errors import FraudwallError


def serve(
    host: Annotated[str, typer.Option("--host", help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="port to listen on")] = 8000,
    db: Annotated[
        str | None, typer.Option("--db", help="database URL (default: $FRAUDWALL_DATABASE_URL)")
    ] = None,
    workspace: Annotated[
        str | None,
        typer.Option("--workspace", help="latest run's directory (default: $FRAUDWALL_WORKSPACE)"),
    ] = None,
    keys: Annotated[
        str | None, typer.Option("--keys", help="sharing key store (default: $FRAUDWALL_KEYS_DIR)")
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="worker processes (one per core)")
    ] = 1,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level")] = "warning",
) -> None:
    """Serve the API on HOST:PORT (OpenAPI at /docs). Settings come from FRAUDWALL_* variables;
    the options here override them."""
    import os

    import uvicorn

    from fraudwall.api import create_app
    from fraudwall.api.settings import Settings

    # A long-running server: keep start-up's objects out of the collector's full passes.
    os.environ.setdefault("FRAUDWALL_FREEZE_HEAP", "1")
    try:
        base = Settings.from_env()
        override = {
            k: v
            for k, v in {"database_url": db, "workspace": workspace, "keys_dir": keys}.items()
            if v
        }
        app = create_app(base.model_copy(update=override))  # fails early on bad settings
    except FraudwallError as e:
        raise fail(e) from None
    if workers == 1:
        uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)
        return
    # Several processes: each builds its app from the environment, so pass the options there.
    for var, value in (
        ("FRAUDWALL_DATABASE_URL", db),
        ("FRAUDWALL_WORKSPACE", workspace),
        ("FRAUDWALL_KEYS_DIR", keys),
    ):
        if value:
            os.environ[var] = value
    app.state.db.dispose()
    uvicorn.run(
        "fraudwall.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=False,
        # A worker imports fraudwall and opens the database before it answers the
        # supervisor's first ping; on a busy machine that takes longer than uvicorn's 5 s,
        # and a worker killed for it is restarted, and killed again, without end.
        timeout_worker_healthcheck=60,
    )
