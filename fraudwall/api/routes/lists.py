"""``/v1/lists``: blacklists of numbers, IMEIs, holders, outlets and domains."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field

from fraudwall.api.deps import CurrentUser, WriteSession, require
from fraudwall.lists import service
from fraudwall.lists.identifiers import ListName
from fraudwall.lists.models import EntryCreate, EntryRead

router = APIRouter(prefix="/lists", tags=["lists"])
ListPath = Annotated[ListName, Path(description="numbers, imeis, holders, outlets or domains")]


class Removal(BaseModel):
    """Why an entry is taken off its list."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500)


class FromCases(BaseModel):
    """Confirmed cases whose entities are to be listed."""

    model_config = ConfigDict(extra="forbid")

    case_ids: list[int] = Field(min_length=1, max_length=10_000)
    expires_at: datetime | None = None


@router.post("/from-cases", status_code=201, dependencies=[require("lists.add")])
def add_from_cases(body: FromCases, session: WriteSession, user: CurrentUser) -> list[EntryRead]:
    """Bulk add: list the entity of each confirmed case (all or none)."""
    from fraudwall.lists.cases import confirmed_cases

    cases = confirmed_cases(session, case_ids=body.case_ids)
    return service.add_confirmed_cases(
        session, actor=user.name, cases=cases, expires_at=body.expires_at
    )


@router.get("", dependencies=[require("lists.read")])
def show_all(
    session: WriteSession,
    user: CurrentUser,
    include_inactive: bool = False,
    source: Literal["own", "police", "partner"] | None = None,
    unmasked: bool = False,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[EntryRead]:
    """Entries of every list, newest first (identifiers masked unless ``unmasked``)."""
    return service.show_entries(
        session,
        actor=user.name,
        include_inactive=include_inactive,
        source=source,
        unmasked=unmasked,
        limit=limit,
        offset=offset,
    )


@router.get("/{list_name}", dependencies=[require("lists.read")])
def show(
    list_name: ListPath,
    session: WriteSession,
    user: CurrentUser,
    include_inactive: bool = False,
    source: Literal["own", "police", "partner"] | None = None,
    unmasked: bool = False,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[EntryRead]:
    """Entries of one list."""
    return service.show_entries(
        session,
        actor=user.name,
        list_name=list_name,
        include_inactive=include_inactive,
        source=source,
        unmasked=unmasked,
        limit=limit,
        offset=offset,
    )


@router.post("/{list_name}", status_code=201, dependencies=[require("lists.add")])
def add(
    list_name: ListPath, data: EntryCreate, session: WriteSession, user: CurrentUser
) -> EntryRead:
    """List an identifier (listing it again updates its reason and expiry)."""
    return service.add_entry(session, list_name=list_name, data=data, actor=user.name)


@router.post("/{list_name}/entries/{entry_id}/remove", dependencies=[require("lists.remove")])
def remove(
    list_name: ListPath,
    entry_id: int,
    body: Removal,
    session: WriteSession,
    user: CurrentUser,
) -> EntryRead:
    """Take an entry off its list (kept, with who removed it, when and why)."""
    return service.remove_entry(
        session, actor=user.name, reason=body.reason, entry_id=entry_id, list_name=list_name
    )


@router.get(
    "/{list_name}/export", response_class=PlainTextResponse, dependencies=[require("lists.read")]
)
def export(
    list_name: ListPath,
    session: WriteSession,
    user: CurrentUser,
    format: Literal["csv", "json"] = "csv",
    unmasked: bool = False,
) -> PlainTextResponse:
    """The active entries of a list as CSV or JSON."""
    text = service.export_entries(
        session, actor=user.name, list_name=list_name, fmt=format, unmasked=unmasked
    )
    media = "text/csv" if format == "csv" else "application/json"
    return PlainTextResponse(text, media_type=f"{media}; charset=utf-8")
