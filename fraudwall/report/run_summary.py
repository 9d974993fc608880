"""The run summary section: identity of the run, timings, detectors that ran and were skipped."""

from __future__ import annotations

from typing import Any

import pandas as pd

from fraudwall.detectors import load_library
from fraudwall.report import svg
from fraudwall.report.model import Section, Tab, num


def build(result: Any) -> Section:
    """Run id, policy, timings and the detectors of a run (``result`` is a ``RunResult``)."""
    s = Section("run", "Run summary")
    leads = getattr(result, "leads", None)
    risk = getattr(result, "risk", None)
    ran = list(getattr(result, "detectors_ran", []) or [])
    skipped = dict(getattr(result, "detectors_skipped", {}) or {})
    counts = dict(getattr(result, "lead_counts", {}) or {})
    timings = dict(getattr(result, "timings_s", {}) or {})
    s.facts = {
        "run id": str(getattr(result, "run_id", "—")),
        "policy version": str(getattr(result, "policy_version", "—")),
        "engine": str(getattr(result, "engine", "—")),
        "started (UTC)": str(getattr(result, "started_at", "") or "—"),
        "leads": num(0 if leads is None else len(leads)),
        "flagged entities": num(0 if risk is None else len(risk)),
        "detectors": f"{len(ran)} ran, {len(skipped)} skipped",
        "total time": f"{sum(timings.values()):.1f} s" if timings else "—",
    }

    if timings:
        t = pd.DataFrame({"stage": list(timings), "seconds": [float(v) for v in timings.values()]})
        s.tables["timings"] = Tab.from_frame(t, formats={"seconds": lambda v: f"{v:.2f}"})
        s.charts["timings"] = svg.hbar(
            list(timings),
            {"seconds": list(t["seconds"])},
            title="time per stage (s)",
            fmt=lambda v: f"{v:.1f}",
            width=520,
        )
    else:
        s.note("The run recorded no timings.")

    library = load_library()

    def scenario(name: str) -> str:
        cls = library.get(name)
        return cls.scenario if cls else "—"

    def entity(name: str) -> str:
        cls = library.get(name)
        return cls.entity_type() if cls else "—"

    if ran:
        d = pd.DataFrame(
            {
                "detector": ran,
                "scenario": [scenario(n) for n in ran],
                "entity": [entity(n) for n in ran],
                "leads": [int(counts.get(n, 0)) for n in ran],
            }
        ).sort_values(["scenario", "detector"], ignore_index=True)
        s.tables["ran"] = Tab.from_frame(d)
    else:
        s.note("No detector ran.")
    if skipped:
        k = pd.DataFrame(
            {
                "detector": list(skipped),
                "scenario": [scenario(n) for n in skipped],
                "reason skipped": [str(v) for v in skipped.values()],
            }
        )
        s.tables["skipped"] = Tab.from_frame(k)
    return s
