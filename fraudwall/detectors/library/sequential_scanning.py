"""Sequential scanning: dialling a run of consecutive numbers (…0001, …0002, …0003)."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from fraudwall.detectors.base import Context, Detector, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library._grading import grade, rise
from fraudwall.detectors.library._precedence import yield_to
from fraudwall.detectors.library.wangiri import Wangiri


def _as_int(number: ir.StringValue) -> ir.IntegerValue:
    """A number's digits as an integer; numbers too long to be a line become null."""
    return number.re_replace(r"\D", "").try_cast("int64")


class SequentialScanning(Detector):
    """Flags numbers whose callees include a long run of consecutive numbers: consecutive in
    the number plan, or consecutive among the operator's assigned numbers (a scanner walking a
    block reaches every assigned number in turn, whatever lies unassigned in between). People
    dial contacts scattered over the plan; only a machine walking a block produces long runs,
    so the threshold is a run length that chance does not reach. One-ring scanners are left to
    ``wangiri``."""

    name = "sequential_scanning"
    scenario = "high_frequency"
    requires = ("calls", "subscribers")
    signal = "machine_dialling"
    reason = (
        "dialled a run of {longest_run} consecutive numbers (threshold {min_run}); "
        "{scanned_callees} of {callees} callees lie in such runs"
    )

    class Params(BaseParams):
        min_run: int = threshold(
            10, "consecutive callee numbers that flag a number", basis="absolute", ge=3
        )
        full_score_run: int = threshold(
            50, "run length at which the score reaches 1", basis="absolute", ge=3
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        c = ctx.tables["calls"]
        s = ctx.tables["subscribers"]
        out = c.filter(c.direction == "MO")
        dialled = out.group_by(entity_id=out.msisdn, party=out.other_party).agg(
            t0=out.started_at.min(), t1=out.started_at.max()
        )
        # Position of each assigned number in the operator's directory, in numeric order.
        directory = s.select(party=s.msisdn, n=_as_int(s.msisdn)).filter(ibis._.n.notnull())
        directory = directory.mutate(
            pos=ibis.row_number().over(order_by=directory.n).cast("int64")
        ).drop("n")
        keyed = (
            dialled.left_join(directory, "party")
            .select(
                "entity_id",
                "t0",
                "t1",
                onnet=ibis._.pos.notnull(),
                key=ibis.coalesce(ibis._.pos, _as_int(ibis._.party)),
            )
            .filter(ibis._.key.notnull())
        )
        # On-net callees by directory position, off-net ones (another operator's blocks) by number.
        runs = _runs(keyed.filter(keyed.onnet)).union(_runs(keyed.filter(~keyed.onnet)))
        long_runs = runs.filter(runs.length >= p.min_run)
        per = long_runs.group_by("entity_id").agg(
            longest_run=long_runs.length.max(),
            scanned_callees=long_runs.length.sum(),
            first_seen=long_runs.t0.min(),
            last_seen=long_runs.t1.max(),
        )
        callees = dialled.group_by("entity_id").agg(callees=ibis._.count())
        hit = yield_to(ctx, per.join(callees, "entity_id"), Wangiri)
        return hit.select(
            "entity_id",
            score=grade(rise(hit.longest_run, p.min_run, p.full_score_run)),
            first_seen=hit.first_seen,
            last_seen=hit.last_seen,
            longest_run=hit.longest_run,
            scanned_callees=hit.scanned_callees.cast("int64"),
            callees=hit.callees,
        )


def _runs(keyed: ir.Table) -> ir.Table:
    """Runs of consecutive ``key`` values per number, with their length and time span."""
    # Gaps and islands: key - rank is constant along a run of consecutive keys.
    rank = ibis.row_number().over(group_by=keyed.entity_id, order_by=keyed.key).cast("int64")
    t = keyed.mutate(island=keyed.key - rank)
    return (
        t.group_by(["entity_id", "island"])
        .agg(length=ibis._.count(), t0=ibis._.t0.min(), t1=ibis._.t1.max())
        .drop("island")
    )
