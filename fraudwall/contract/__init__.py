"""The canonical data contract: tables, columns, scenarios."""

from fraudwall.contract.scenarios import FRAUD_TYPES, SCENARIOS, Scenario
from fraudwall.contract.tables import TABLES, Column, Table

__all__ = ["FRAUD_TYPES", "SCENARIOS", "TABLES", "Column", "Scenario", "Table"]
