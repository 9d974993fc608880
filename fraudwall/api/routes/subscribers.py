"""``/v1/subscribers``: a subscriber's screening settings — their personal block and allow lists.

The route calls the same service function as ``fraudwall subscribers lists``; who may edit is
the permission table's ``screening.lists``. Numbers in the answer are masked for roles that may
not see identifiers unmasked (the self-care channel's ``system`` account).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from fraudwall.api.deps import CurrentUser, WriteSession, require
from fraudwall.auth import allowed
from fraudwall.privacy import mask_number
from fraudwall.screening.models import SubscriberRead
from fraudwall.screening.subscribers import MAX_PERSONAL, edit_lists

router = APIRouter(prefix="/subscribers", tags=["subscribers"])
Numbers = Annotated[list[Annotated[str, Field(max_length=32)]], Field(max_length=MAX_PERSONAL)]


class ListsEdit(BaseModel):
    """Numbers to put on or take off the subscriber's lists (each list: at most 200)."""

    model_config = ConfigDict(extra="forbid")

    block: Numbers = []
    unblock: Numbers = []
    allow: Numbers = []
    unallow: Numbers = []


@router.patch("/{msisdn}/lists", dependencies=[require("screening.lists")])
def edit(
    msisdn: Annotated[str, Path(max_length=32, description="the subscriber")],
    body: ListsEdit,
    session: WriteSession,
    user: CurrentUser,
) -> SubscriberRead:
    """Block or allow numbers for one subscriber, or take them off; audited as the token's user.
    A number is on at most one list: blocking an allowed number moves it. Screening workers
    pick the change up when they next reload subscribers' settings (every 30 s)."""
    out = edit_lists(
        session, msisdn=msisdn, actor=user.name, channel="api", block=body.block,
        unblock=body.unblock, allow=body.allow, unallow=body.unallow,
    )  # fmt: skip
    if allowed(user.role, "identifiers.unmasked"):
        return out
    return out.model_copy(
        update={
            "msisdn": mask_number(out.msisdn),
            "blocked": [mask_number(n) for n in out.blocked],
            "allowed": [mask_number(n) for n in out.allowed],
        }
    )
