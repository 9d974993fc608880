import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet
import pytest

from fraudwall.contract import TABLES
from fraudwall.errors import WorkspaceBusy, WorkspaceError
from fraudwall.ingest import ingest
from fraudwall.pipeline import run
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


_HOLD = """
import sys
from fraudwall.store import Workspace
with Workspace(sys.argv[1]).writing():
    print("locked", flush=True)
    sys.stdin.readline()
"""


@pytest.fixture
def held_elsewhere(tmp_path):
    """The workspace's write lock, held by another process until the test ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(tmp_path / "ws")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    yield Workspace(tmp_path / "ws")
    holder.communicate("\n", timeout=30)


def test_a_second_writer_is_refused_while_another_process_writes(held_elsewhere, tmp_path):
    with pytest.raises(WorkspaceBusy, match="being written by another fraudwall process"):
        ingest(tmp_path / "no-data-needed", held_elsewhere)
    with pytest.raises(WorkspaceBusy):
        run(tmp_path / "no-data-needed", held_elsewhere.path)
    assert not held_elsewhere.has("calls")


def test_the_lock_dies_with_its_process(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(tmp_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == b"locked"
    holder.kill()
    holder.communicate(timeout=30)
    with Workspace(tmp_path).writing():  # not refused: the OS released the dead holder's lock
        pass


def test_the_lock_is_reentrant_within_a_process(tmp_path):
    ws = Workspace(tmp_path)
    with ws.writing(), Workspace(tmp_path).writing():
        ws.write_table("cells", pa.table({"cell_id": ["c1"], "risk_area": [0]}))
    assert ws.has("cells")
