"""The synthetic operator world and its ground truth.

``generate`` writes a data directory in the canonical contract (subscribers, cells, calls, SMS,
data sessions, device events, complaints) with planted, labelled instances of every scenario
and hard legitimate look-alikes; ``truth/labels.parquet`` holds the truth
and ``labels.parquet`` a police-feedback sample of it. See ``docs/simulator.md``.
"""

from fraudwall.simulate.generator import DEFAULT_START, Summary, generate

__all__ = ["DEFAULT_START", "Summary", "generate"]
