"""Where ingested data lives: Parquet files in a workspace, queried through an Ibis engine."""

from fraudwall.store.engine import Tables, connect
from fraudwall.store.workspace import Workspace

__all__ = ["Tables", "Workspace", "connect"]
