"""Delivering an exported batch: to an outbox folder, or by HTTP POST with retries.

The HTTP request carries an ``Idempotency-Key`` derived from the batch number and its manifest,
so a retry after a lost answer cannot make the police system record the batch twice.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.orm import Session

from fraudwall.cases.common import act, audit, get_batch
from fraudwall.cases.enums import BatchState
from fraudwall.cases.schemas import BatchRead
from fraudwall.db.base import utcnow
from fraudwall.errors import Conflict, FraudwallError

RETRIES = 4


class DeliveryFailed(FraudwallError):
    """The receiving system could not be reached or refused the batch."""

    http_status = 502


def _exported_dir(batch_manifest: dict[str, Any] | None, number: int) -> Path:
    if not batch_manifest:
        raise Conflict(f"batch {number} is not exported yet; run `fraudwall batch export` first")
    d = Path(batch_manifest["dir"])
    if not (d / "manifest.json").exists():
        raise Conflict(f"batch {number}'s export in {d} is gone; export it again")
    return d


def idempotency_key(number: int, manifest: dict[str, Any]) -> str:
    """Same batch, same files → same key.

    >>> idempotency_key(3, {"files": {"a": "00ff"}})
    'fraudwall-batch-3-6d3003aac24fd62e'
    """
    import hashlib

    digest = hashlib.sha256(json.dumps(manifest["files"], sort_keys=True).encode()).hexdigest()
    return f"fraudwall-batch-{number}-{digest[:16]}"


def post_with_retries(
    url: str,
    payload: dict[str, Any],
    key: str,
    *,
    retries: int = RETRIES,
    backoff_s: float = 0.2,
    timeout_s: float = 10.0,
) -> httpx.Response:
    """POST JSON with an idempotency key; retries connection errors and 5xx, not 4xx."""
    last: str = ""
    with httpx.Client(timeout=timeout_s) as client:
        for attempt in range(1, retries + 1):
            try:
                r = client.post(url, json=payload, headers={"Idempotency-Key": key})
            except httpx.HTTPError as e:
                last = f"{e.__class__.__name__}: {e}"
            else:
                if r.status_code < 300:
                    return r
                last = f"HTTP {r.status_code}: {r.text[:200]}"
                if r.status_code < 500 and r.status_code != 429:
                    raise DeliveryFailed(f"{url} refused the delivery: {last}")
            if attempt < retries:
                time.sleep(backoff_s * 2 ** (attempt - 1))
    raise DeliveryFailed(f"{url}: gave up after {retries} attempts: {last}")


def deliver_batch(
    session: Session,
    *,
    number: int,
    actor: str,
    outbox: Path | None = None,
    url: str | None = None,
) -> BatchRead:
    """Send an exported batch to ``outbox`` (a folder the transfer system picks up) or ``url``."""
    from fraudwall.cases.batches import show_batch

    if (outbox is None) == (url is None):
        raise Conflict("deliver to exactly one of an outbox folder or a URL")
    who = act(session, actor, "batch.deliver")
    batch = get_batch(session, number)
    src = _exported_dir(batch.manifest, number)
    manifest = json.loads((src / "manifest.json").read_text("utf-8"))
    key = idempotency_key(number, manifest)
    info: dict[str, Any] = {"idempotency_key": key, "at": utcnow().isoformat()}
    if outbox is not None:
        target = Path(outbox) / f"batch-{number}"
        if not target.exists():
            tmp = Path(outbox) / f".batch-{number}.tmp-{uuid.uuid4().hex[:8]}"
            shutil.copytree(src, tmp)
            os.replace(tmp, target)
        info |= {"outbox": str(target)}
    else:
        payload = json.loads((src / f"batch-{number}.json").read_text("utf-8"))
        payload["manifest"] = manifest
        r = post_with_retries(str(url), payload, key)
        info |= {"url": url, "status": r.status_code, "response": r.text[:500]}
    batch.delivery = info
    batch.delivered_at = utcnow()
    batch.state = BatchState.delivered
    audit(session, who, "batch.deliver", "batch", number, **info)
    return show_batch(session, number=number)
