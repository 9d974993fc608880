"""Fraud content: SMS classification, extraction, domains, exports."""
