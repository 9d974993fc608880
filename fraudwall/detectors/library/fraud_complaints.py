"""Fraud complaints: numbers that several subscribers report as fraud."""

from __future__ import annotations

from fraudwall.detectors.library.complaint_hotspot import ComplaintCount


class FraudComplaints(ComplaintCount):
    """Flags numbers that several distinct subscribers report as fraud. Independent reports
    from strangers about one number are among the strongest evidence an operator holds; the
    count of distinct reporters, not of complaints, makes one persistent reporter harmless."""

    name = "fraud_complaints"
    scenario = "fraud_caller"
    signal = "complaints_fraud"
    categories = ("fraud",)
