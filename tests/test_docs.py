"""The documentation stays true to the code."""

from pathlib import Path

from fraudwall.contract import SCENARIOS, TABLES
from fraudwall.scoring.leads import LEAD_COLUMNS
from fraudwall.scoring.risk import RISK_COLUMNS

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_data_model_names_every_table_column_scenario_and_output_column():
    text = (DOCS / "data-model.md").read_text("utf-8")
    for table in TABLES.values():
        assert f"`{table.name}`" in text
        for col in table.names:
            assert f"| `{col}` |" in text, f"{table.name}.{col} missing from data-model.md"
    for name in SCENARIOS:
        assert f"`{name}`" in text
    for col in [*LEAD_COLUMNS, *RISK_COLUMNS]:
        assert col in text
