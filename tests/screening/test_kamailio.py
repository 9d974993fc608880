"""Kamailio + SIPp on loopback: fraudwall in the call path, and fail-open when it is down.

Kamailio runs the shipped deploy/kamailio/kamailio.cfg (ports and URL rendered), fraudwall's
worker runs `fraudwall screen serve`, SIPp plays the caller and the callee.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import free_port, need

from fraudwall.auth import Role, UserCreate, add_user
from fraudwall.auth.tokens import create_token
from fraudwall.db import open_database, upgrade

FRAUDWALL = str(Path(sys.executable).parent / "fraudwall")
DEPLOY = Path(__file__).parents[2] / "deploy" / "kamailio"
LISTED = "13800000000"
RISKY = "13700000000"
CALLEE = "13900000000"


def render(cfg: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        cfg, n = re.subn(rf'#!substdef "!{name}![^!]*!g"', f'#!substdef "!{name}!{value}!g"', cfg)
        assert n == 1, name
    return cfg


def wait_port(port: int, proc: subprocess.Popen[bytes], what: str) -> None:
    import httpx

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited")
        try:
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=0.5)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not start")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL to the process group: a loaded machine can keep Kamailio's
    children busy past a graceful shutdown, and they hold the SIP port a restart needs."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        if os.getpgid(proc.pid) == proc.pid:  # its own session: take the children too
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
        proc.wait(timeout=10)


class Net:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.kam_port, self.uas_port, self.fw_port = free_port(), free_port(), free_port()
        self.worker: subprocess.Popen[bytes] | None = None
        self.kamailio: subprocess.Popen[bytes] | None = None
        self.kamailio_bin, self.token = "kamailio", ""
        self.logs = [(tmp / "worker.log").open("ab"), (tmp / "kamailio.log").open("ab")]

    def start_worker(self, env: dict[str, str]) -> None:
        self.worker = subprocess.Popen(
            [FRAUDWALL, "screen", "serve", "--port", str(self.fw_port)],
            env=env, stdout=subprocess.DEVNULL, stderr=self.logs[0],
        )  # fmt: skip
        wait_port(self.fw_port, self.worker, "fraudwall screen serve")

    def stop_worker(self) -> None:
        if self.worker is not None:
            _stop(self.worker)
            self.worker = None

    def start_kamailio(self, kamailio: str, screen_url: str, token: str) -> None:
        """The shipped configuration, rendered for loopback ports and ``screen_url``."""
        self.kamailio_bin, self.token = kamailio, token
        cfg = render(
            (DEPLOY / "kamailio.cfg").read_text("utf-8"),
            {"FW_LISTEN": f"udp:127.0.0.1:{self.kam_port}",
             "FW_NEXT_HOP": f"sip:127.0.0.1:{self.uas_port}",
             "FW_SCREEN_URL": screen_url, "FW_TOKEN": token},
        )  # fmt: skip
        path = self.tmp / "kamailio.cfg"
        path.write_text(cfg.replace("debug=1", "debug=2"), "utf-8")
        check = subprocess.run([kamailio, "-c", "-f", str(path)], capture_output=True)
        assert check.returncode == 0, check.stderr.decode()
        self.kamailio = subprocess.Popen(
            [kamailio, "-DD", "-E", "-f", str(path), "-Y", str(self.tmp),
             "-P", str(self.tmp / "kamailio.pid"), "-w", str(self.tmp)],
            stdout=subprocess.DEVNULL, stderr=self.logs[1], start_new_session=True,
        )  # fmt: skip
        time.sleep(1.0)
        assert self.kamailio.poll() is None, (self.tmp / "kamailio.log").read_text()

    def restart_kamailio(self, screen_url: str) -> None:
        self.stop_kamailio()
        self.start_kamailio(self.kamailio_bin, screen_url, self.token)

    def stop_kamailio(self) -> None:
        if self.kamailio is not None:
            _stop(self.kamailio)
            self.kamailio = None

    def call(self, caller: str, *, uas: str, uac: str) -> tuple[int, int, str]:
        """One call; returns (UAC exit code, UAS exit code, UAS messages)."""
        sipp = need("sipp")
        uas_log = self.tmp / f"uas-{time.monotonic_ns()}.log"
        callee = subprocess.Popen(
            [sipp, "-sf", str(DEPLOY / "sipp" / uas), "-i", "127.0.0.1", "-p", str(self.uas_port),
             "-m", "1", "-timeout", "15s", "-timeout_error", "-nostdin",
             "-message_file", str(uas_log), "-trace_msg"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.tmp,
        )  # fmt: skip
        time.sleep(0.3)
        uac_proc = subprocess.run(
            [sipp, "-sf", str(DEPLOY / "sipp" / uac), f"127.0.0.1:{self.kam_port}", "-s", CALLEE,
             "-key", "caller", caller, "-i", "127.0.0.1", "-p", str(free_port()), "-m", "1",
             "-timeout", "10s", "-timeout_error", "-nostdin", "-trace_err",
             "-error_file", str(self.tmp / "uac-errors.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.tmp, timeout=30,
        )  # fmt: skip
        if uac.startswith("uac_declined"):
            callee.terminate()  # no call reaches the callee
        try:
            uas_rc = callee.wait(timeout=15)
        except subprocess.TimeoutExpired:
            callee.kill()
            uas_rc = -9
        return uac_proc.returncode, uas_rc, uas_log.read_text() if uas_log.exists() else ""


@pytest.fixture
def net(tmp_path: Path) -> Iterator[Net]:
    kamailio = need("kamailio")
    need("sipp")
    if not Path("/usr/lib/x86_64-linux-gnu/kamailio/modules/http_client.so").exists():
        if os.environ.get("CI") == "true":
            pytest.fail("kamailio-utils-modules is not installed")
        pytest.skip("kamailio-utils-modules (http_client) is not installed")
    db_url = f"sqlite:///{tmp_path / 'fw.db'}"
    upgrade(db_url)
    db = open_database(db_url)
    with db.session() as s:
        add_user(s, data=UserCreate(name="boss", role=Role.supervisor), actor=None)
        add_user(s, data=UserCreate(name="kamailio", role=Role.system), actor="boss")
        token = create_token(s, user="kamailio", actor="boss").token
    db.dispose()
    lists = tmp_path / "lists.csv"
    lists.write_text(f"kind,value,list\nmsisdn,{LISTED},police\n", "utf-8")
    run = tmp_path / "run"
    run.mkdir()
    pq.write_table(
        pa.table({"entity_type": ["msisdn"], "entity_id": ["+86" + RISKY], "risk_level": ["medium"],
                  "scenarios": ["fraud_caller"], "risk_score": [0.7]}),
        run / "risk.parquet",
    )  # fmt: skip
    n = Net(tmp_path)
    env = {**os.environ, "FRAUDWALL_DATABASE_URL": db_url, "FRAUDWALL_SCREEN_LISTS": str(lists),
           "FRAUDWALL_SCREEN_RISK": str(run)}  # fmt: skip
    n.start_worker(env)
    n.start_kamailio(kamailio, f"http://127.0.0.1:{n.fw_port}/v1/screen", token)
    try:
        yield n
    finally:
        try:
            n.stop_worker()
            n.stop_kamailio()
        finally:
            for f in n.logs:
                f.close()


def test_calls_through_kamailio(net: Net):
    # a blacklisted caller is declined with 603 and a Reason header; the callee never rings
    uac, _, _ = net.call(LISTED, uas="uas.xml", uac="uac_declined.xml")
    assert uac == 0
    # a caller with medium batch risk reaches the callee, with the label header
    uac, uas, log = net.call(RISKY, uas="uas_label.xml", uac="uac_call.xml")
    assert (uac, uas) == (0, 0), log[-2000:]
    assert "X-Fraudwall-Label: 疑似诈骗;rule=batch_risk" in log
    # a legitimate call completes, untouched
    uac, uas, log = net.call("13500000000", uas="uas.xml", uac="uac_call.xml")
    assert (uac, uas) == (0, 0)
    assert "X-Fraudwall-Label" not in log
    # fraudwall stopped: calls still complete (fail-open), even a listed caller's
    net.stop_worker()
    uac, uas, _ = net.call(LISTED, uas="uas.xml", uac="uac_call.xml")
    assert (uac, uas) == (0, 0)

    # fraudwall hanging (it accepts the connection and never answers): the call still completes,
    # after the configured timeout and not much later
    normal = _timed(net, "13500000001")
    with socket.socket() as hole:
        hole.bind(("127.0.0.1", 0))
        hole.listen(64)
        net.restart_kamailio(f"http://127.0.0.1:{hole.getsockname()[1]}/v1/screen")
        hung = _timed(net, "13500000002")
    timeout_s = configured_timeout_s()
    assert timeout_s * 0.9 <= hung - normal <= timeout_s + 3.0, (hung, normal, timeout_s)


def _timed(net: Net, caller: str) -> float:
    t = time.monotonic()
    uac, uas, _ = net.call(caller, uas="uas.xml", uac="uac_call.xml")
    assert (uac, uas) == (0, 0)
    return time.monotonic() - t


def configured_timeout_s() -> float:
    """The timeout the shipped configuration gives this Kamailio: FW_TIMEOUT_MS from 5.8 on,
    whole seconds (FW_TIMEOUT_S) on 5.6 and 5.7."""
    cfg = (DEPLOY / "kamailio.cfg").read_text("utf-8")
    version = subprocess.run(["kamailio", "-v"], capture_output=True, text=True).stdout
    m = re.search(r"kamailio (\d+)\.(\d+)", version)
    assert m, version
    seconds = (int(m.group(1)), int(m.group(2))) < (5, 8)
    name = "FW_TIMEOUT_S" if seconds else "FW_TIMEOUT_MS"
    v = re.search(rf'#!substdef "!{name}!(\d+)!g"', cfg)
    assert v, name
    return int(v.group(1)) / (1 if seconds else 1000)
