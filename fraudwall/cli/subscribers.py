"""``fraudwall subscribers``: interception opt-in/out and the SMS keyword handler."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fraudwall.cli.dbopts import AsOpt, DbOpt, JsonOpt, emit, unit_of_work

app = typer.Typer(help="Subscribers' call-screening settings.", no_args_is_help=True)
_COLS = ("msisdn", "opted_in", "channel", "updated_by", "updated_at")


@app.command("optin")
def optin(msisdn: str, actor: AsOpt, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Opt MSISDN in to interception of fraud and harassment calls (audited)."""
    from fraudwall.screening.subscribers import set_opt_in

    with unit_of_work(db) as s:
        out = set_opt_in(s, msisdn=msisdn, opted_in=True, actor=actor, channel="cli")
    emit(out, as_json=as_json, columns=_COLS)


@app.command("optout")
def optout(msisdn: str, actor: AsOpt, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Opt MSISDN out of interception (labels still show; audited)."""
    from fraudwall.screening.subscribers import set_opt_in

    with unit_of_work(db) as s:
        out = set_opt_in(s, msisdn=msisdn, opted_in=False, actor=actor, channel="cli")
    emit(out, as_json=as_json, columns=_COLS)


@app.command("show")
def show(msisdn: str, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """A subscriber's screening settings."""
    from fraudwall.screening.subscribers import get_subscriber

    with unit_of_work(db, readonly=True) as s:
        out = get_subscriber(s, msisdn=msisdn)
    emit(out, as_json=as_json, columns=(*_COLS, "blocked", "allowed"))


@app.command("sms")
def sms(
    sender: Annotated[str, typer.Argument(help="number that sent the SMS")],
    recipient: Annotated[str, typer.Argument(help="number it was sent to (e.g. 10086)")],
    text: Annotated[str, typer.Argument(help="the message text (e.g. KTFSR)")],
    actor: AsOpt,
    policy: Annotated[Path | None, typer.Option("--policy", help="policy file")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Handle one incoming MO SMS: the opt-in keyword opts the sender in, the opt-out one out."""
    from fraudwall.screening.service import load_screening_policy
    from fraudwall.screening.subscribers import handle_keyword_sms

    pol = load_screening_policy(policy)
    with unit_of_work(db) as s:
        out = handle_keyword_sms(
            s, sender=sender, recipient=recipient, text=text, policy=pol, actor=actor
        )
    emit(out, as_json=as_json, columns=("msisdn", "handled", "action", "reply"))


NumbersOpt = list[str] | None


@app.command("lists")
def lists(
    msisdn: Annotated[str, typer.Argument(help="the subscriber whose lists change")],
    actor: AsOpt,
    block: Annotated[
        NumbersOpt, typer.Option("--block", help="a number always refused for them (607)")
    ] = None,
    unblock: Annotated[NumbersOpt, typer.Option("--unblock", help="off the block list")] = None,
    allow: Annotated[
        NumbersOpt, typer.Option("--allow", help="a number always let through for them")
    ] = None,
    unallow: Annotated[NumbersOpt, typer.Option("--unallow", help="off the allow list")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Edit MSISDN's personal block and allow lists (each option repeatable; audited)."""
    from fraudwall.screening.subscribers import edit_lists

    with unit_of_work(db) as s:
        out = edit_lists(
            s, msisdn=msisdn, actor=actor, channel="cli", block=block or (),
            unblock=unblock or (), allow=allow or (), unallow=unallow or (),
        )  # fmt: skip
    emit(out, as_json=as_json, columns=(*_COLS, "blocked", "allowed"))
