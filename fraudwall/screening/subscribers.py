"""Subscribers' screening settings: opt-in/out (by command or SMS keyword), audited.

Service functions take the session of one unit of work (keyword-only); the CLI and the API call
them and commit once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from fraudwall.audit import record
from fraudwall.auth import Role
from fraudwall.auth.permissions import grant
from fraudwall.auth.service import acting_user
from fraudwall.db.base import utcnow
from fraudwall.errors import InputError, NotFound
from fraudwall.screening.lookups import DictSettings, SubscriberSettings, normalize_number
from fraudwall.screening.models import ScreeningSubscriber, SubscriberRead
from fraudwall.screening.policy import ScreeningPolicy

Channel = Literal["cli", "sms", "api"]

# who may change a subscriber's interception (the hotline, on the subscriber's request) and
# who may feed keyword SMS (the SMS centre's gateway account)
grant("screening.optin", [Role.analyst, Role.supervisor, Role.system])
grant("screening.sms", [Role.system])
# who may edit a subscriber's personal block and allow lists: the hotline on the subscriber's
# request, and the self-care channel (app, USSD) through its system account
grant("screening.lists", [Role.analyst, Role.supervisor, Role.system])

#: at most this many numbers on each of a subscriber's lists (the worker holds them all)
MAX_PERSONAL = 200


def valid_msisdn(value: str, *, field: str = "msisdn") -> str:
    """The number in stored form; :class:`InputError` naming ``field`` if it is not a number.

    >>> valid_msisdn("13812345678")
    '+8613812345678'
    """
    n = normalize_number(value or "")
    digits = n.lstrip("+")
    if not digits.isdigit() or not 3 <= len(digits) <= 15:
        raise InputError(f"not a phone number: {value!r}", field=field)
    return n


def set_opt_in(
    session: Session, *, msisdn: str, opted_in: bool, actor: str, channel: Channel
) -> SubscriberRead:
    """Opt ``msisdn`` in to (or out of) interception; idempotent, audited when it changes."""
    number = valid_msisdn(msisdn)
    acting_user(
        session, name=actor, action="screening.sms" if channel == "sms" else "screening.optin"
    )
    row = session.get(ScreeningSubscriber, number)
    before = None if row is None else row.opted_in
    if row is None:
        row = ScreeningSubscriber(
            msisdn=number, opted_in=opted_in, blocked=[], allowed=[], updated_by=actor
        )
        session.add(row)
    if before != opted_in:
        row.opted_in, row.channel, row.updated_by, row.updated_at = (
            opted_in,
            channel,
            actor,
            utcnow(),
        )
        record(
            session,
            actor=actor,
            action="screening.optin" if opted_in else "screening.optout",
            entity_type="msisdn",
            entity_id=number,
            detail={"channel": channel, "before": before},
        )
    session.flush()
    return SubscriberRead.model_validate(row)


def edit_lists(
    session: Session,
    *,
    msisdn: str,
    actor: str,
    channel: Channel,
    block: Sequence[str] = (),
    unblock: Sequence[str] = (),
    allow: Sequence[str] = (),
    unallow: Sequence[str] = (),
) -> SubscriberRead:
    """Edit ``msisdn``'s personal lists: numbers to ``block`` (always refused for them, 607)
    or ``allow`` (always let through), or to take off either list. A number is on at most one
    list, so blocking an allowed number moves it (and the other way round). Idempotent: only
    what changes is written and audited (``screening.lists``, with the numbers added and
    removed); a bad number is refused naming its field and position, and nothing is written.
    """
    number = valid_msisdn(msisdn)
    edits = {
        name: [valid_msisdn(v, field=f"{name}[{i}]") for i, v in enumerate(values)]
        for name, values in (
            ("block", block), ("unblock", unblock), ("allow", allow), ("unallow", unallow),
        )
    }  # fmt: skip
    if not any(edits.values()):
        raise InputError("nothing to change: give numbers to block, unblock, allow or unallow")
    for a, b in (("block", "unblock"), ("allow", "unallow"), ("block", "allow")):
        both = sorted(set(edits[a]) & set(edits[b]))
        if both:
            raise InputError(f"{both[0]} is both in {a} and in {b}", field=b)
    if number in edits["block"] or number in edits["allow"]:
        raise InputError("a subscriber's own number cannot be on their lists", field="msisdn")
    acting_user(session, name=actor, action="screening.lists")
    row = session.get(ScreeningSubscriber, number)
    if row is None:
        row = ScreeningSubscriber(
            msisdn=number, opted_in=False, blocked=[], allowed=[], channel=channel,
            updated_by=actor,
        )  # fmt: skip
        session.add(row)
    before = {"blocked": list(row.blocked or []), "allowed": list(row.allowed or [])}
    blocked = _edit(before["blocked"], add=edits["block"], remove=edits["unblock"] + edits["allow"])
    allowed = _edit(before["allowed"], add=edits["allow"], remove=edits["unallow"] + edits["block"])
    for name, values in (("block", blocked), ("allow", allowed)):
        if len(values) > MAX_PERSONAL:
            raise InputError(
                f"at most {MAX_PERSONAL} numbers on a personal list ({len(values)} asked)",
                field=name,
            )
    after = {"blocked": blocked, "allowed": allowed}
    if after != before:
        row.blocked, row.allowed = blocked, allowed
        row.channel, row.updated_by, row.updated_at = channel, actor, utcnow()
        detail: dict[str, Any] = {"channel": channel}
        for name in ("blocked", "allowed"):
            detail[f"{name}_added"] = [v for v in after[name] if v not in before[name]]
            detail[f"{name}_removed"] = [v for v in before[name] if v not in after[name]]
        record(
            session,
            actor=actor,
            action="screening.lists",
            entity_type="msisdn",
            entity_id=number,
            detail=detail,
        )
    session.flush()
    return SubscriberRead.model_validate(row)


def _edit(values: list[str], *, add: list[str], remove: list[str]) -> list[str]:
    """``values`` without ``remove`` and with ``add`` appended, in order, without repeats."""
    gone = set(remove)
    out = [v for v in values if v not in gone]
    seen = set(out)
    for v in add:
        if v not in seen:
            out.append(v)
            seen.add(v)
    return out


def get_subscriber(session: Session, *, msisdn: str) -> SubscriberRead:
    """A subscriber's settings; :class:`NotFound` if they never set any."""
    row = session.get(ScreeningSubscriber, valid_msisdn(msisdn))
    if row is None:
        raise NotFound(f"no screening settings for {msisdn}")
    return SubscriberRead.model_validate(row)


def load_settings(session: Session) -> DictSettings:
    """Every subscriber's settings, for the engine (the worker reloads them periodically)."""
    out = {}
    for row in session.scalars(select(ScreeningSubscriber)):
        out[row.msisdn] = SubscriberSettings(
            opted_in=row.opted_in, blocked=frozenset(row.blocked), allowed=frozenset(row.allowed)
        )
    return DictSettings(out)


def handle_keyword_sms(
    session: Session,
    *,
    sender: str,
    recipient: str,
    text: str,
    policy: ScreeningPolicy,
    actor: str,
) -> dict[str, Any]:
    """An incoming MO SMS: the opt-in keyword opts the sender in, the opt-out keyword out.

    Anything else (another text, another service number) is ignored, not an error: the SMS
    centre forwards every message to the number, and a reply is only owed to keyword messages.
    Returns ``{"handled": bool, "action": "optin"|"optout"|None, "reply": str|None}``.
    """
    number = valid_msisdn(sender, field="sender")
    acting_user(session, name=actor, action="screening.sms")
    if normalize_number(recipient) != normalize_number(policy.keyword_number):
        return {"handled": False, "action": None, "reply": None, "msisdn": number}
    word = "".join(text.split()).upper()
    if word == policy.optin_keyword.upper():
        set_opt_in(session, msisdn=number, opted_in=True, actor=actor, channel="sms")
        reply = (
            f"已开通骚扰诈骗电话拦截。取消请发送{policy.optout_keyword}到{policy.keyword_number}。"
        )
        return {"handled": True, "action": "optin", "reply": reply, "msisdn": number}
    if word == policy.optout_keyword.upper():
        set_opt_in(session, msisdn=number, opted_in=False, actor=actor, channel="sms")
        reply = (
            f"已取消骚扰诈骗电话拦截。开通请发送{policy.optin_keyword}到{policy.keyword_number}。"
        )
        return {"handled": True, "action": "optout", "reply": reply, "msisdn": number}
    return {"handled": False, "action": None, "reply": None, "msisdn": number}
