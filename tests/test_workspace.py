import pyarrow as pa
import pyarrow.parquet
import pytest

from fraudwall.contract import TABLES
from fraudwall.errors import WorkspaceError
from fraudwall.store import Workspace


def test_write_table_conforms_to_the_contract_and_commits(tmp_path):
    ws = Workspace(tmp_path)
    ws.write_table("cells", pa.table({"cell_id": ["c1", "c2"], "risk_area": [0, 3]}))
    assert ws.has("cells") and not ws.has("calls")
    assert ws.tables() == ["cells"]
    stored = pa.parquet.read_table(ws.parquet_files("cells")[0])
    assert stored.schema.names == TABLES["cells"].names
    assert stored["lat"].null_count == 2
    assert not list((tmp_path / ".staging").iterdir())  # nothing left half-written


def test_missing_table_is_a_clear_error(tmp_path):
    with pytest.raises(WorkspaceError, match="no table 'calls'"):
        Workspace(tmp_path).glob("calls")


def test_failed_batch_leaves_the_store_unchanged(tmp_path):
    ws = Workspace(tmp_path)
    with pytest.raises(RuntimeError), ws.staging() as s:
        pa.parquet.write_table(pa.table({"cell_id": ["x"]}), s / "part.parquet")
        raise RuntimeError("crash before commit")
    assert not ws.has("cells")
