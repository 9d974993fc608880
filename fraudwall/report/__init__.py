"""The HTML report of a run, its charts, and the generated detector catalogue."""

from fraudwall.report.writer import write_report

__all__ = ["write_report"]
