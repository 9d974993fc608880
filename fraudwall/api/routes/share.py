"""``/v1/share``: exchange blacklists with partner operators (keyed tokens, signed files).

The file travels as the request or response body; the server stores it under a name it
chooses, so no client-supplied path is ever opened.
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from fraudwall.api.deps import CurrentUser, WriteSession, require
from fraudwall.errors import InputError, NotFound
from fraudwall.lists.identifiers import ListName
from fraudwall.lists.keys import KeyStore, check_name
from fraudwall.lists.sharing import export_share, import_share

router = APIRouter(prefix="/share", tags=["share"])


def _keys(request: Request) -> KeyStore:
    path = request.app.state.settings.keys_dir
    if path is None:
        raise NotFound("no key store configured (FRAUDWALL_KEYS_DIR)")
    return KeyStore(path)


@router.post("/export", dependencies=[require("lists.share")])
def export(
    request: Request,
    session: WriteSession,
    user: CurrentUser,
    list_name: Annotated[ListName, Query(alias="list")],
    partner: Annotated[str, Query(max_length=64)],
    days: Annotated[int, Query(ge=1, le=365)] = 30,
) -> Response:
    """A list for one partner as a signed file (the response body)."""
    keys = _keys(request)
    with tempfile.TemporaryDirectory(prefix="fw-share-") as tmp:
        out = Path(tmp) / "share.json"
        summary = export_share(
            session,
            keys=keys,
            list_name=list_name,
            partner=check_name(partner),
            out=out,
            actor=user.name,
            valid_for=timedelta(days=days),
        )
        data = out.read_bytes()
    name = f"{list_name}-for-{partner}.json"
    return Response(
        data,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"',
                 "X-Entries": str(summary["entries"])},
    )  # fmt: skip


@router.post("/import", dependencies=[require("lists.share")])
async def import_file(
    request: Request, user: CurrentUser, partner: Annotated[str, Query(max_length=64)]
) -> dict[str, Any]:
    """Verify and apply a partner's file sent as the body; refused whole if anything is wrong."""
    from starlette.concurrency import run_in_threadpool

    keys = _keys(request)
    raw = await request.body()
    if not raw:
        raise InputError("send the partner's file as the request body", field="body")
    name = check_name(partner)

    def work() -> dict[str, Any]:
        with tempfile.TemporaryDirectory(prefix="fw-share-") as tmp:
            path = Path(tmp) / "partner-file.json"
            path.write_bytes(raw)
            with request.app.state.db.session(via="api:POST /v1/share/import") as session:
                return import_share(session, keys=keys, path=path, partner=name, actor=user.name)

    return await run_in_threadpool(work)
