"""The exported blocklists against a real Unbound on loopback (and named-checkzone)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import dns.rcode
import pytest

from fraudwall.content.blocklist import write_blocklist

BLOCKED = ["icbc-kefu.top", "例子.中国"]
# Served by the resolver itself, so no internet is needed: one is the parent of a blocked name.
ALLOWED = {
    "allowed.example.": "192.0.2.10",
    "top.example.": "192.0.2.11",
    "kefu.top.": "192.0.2.12",
}


def _need(binary: str) -> str:
    path = shutil.which(binary) or (
        f"/usr/sbin/{binary}" if os.path.exists(f"/usr/sbin/{binary}") else None
    )
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{binary} is not installed (Debian packages unbound, bind9-utils)")
        pytest.skip(f"{binary} is not installed")
    return path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _config(tmp: Path, port: int, extra: str) -> Path:
    local = "\n".join(
        f'  local-zone: "{n}" static\n  local-data: "{n} 300 IN A {ip}"'
        for n, ip in ALLOWED.items()
    )
    conf = tmp / "unbound.conf"
    conf.write_text(
        f"""server:
  interface: 127.0.0.1
  port: {port}
  do-ip6: no
  do-tcp: yes
  username: ""
  chroot: ""
  directory: "{tmp}"
  pidfile: ""
  use-syslog: no
  logfile: "{tmp}/unbound.log"
  do-daemonize: no
  access-control: 127.0.0.0/8 allow
{local}
{extra}
""",
        "utf-8",
    )
    return conf


def _start(conf: Path, port: int) -> Iterator[int]:
    check = subprocess.run(
        [_need("unbound-checkconf"), str(conf)], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr
    proc = subprocess.Popen([_need("unbound"), "-d", "-c", str(conf)])
    try:
        # a loaded 2-core CI machine can take well over 10 s to bring unbound up
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                _ask(port, "allowed.example.")
                break
            except (TimeoutError, OSError, dns.exception.Timeout):
                time.sleep(0.2)
        else:
            log = conf.with_name("unbound.log")
            raise AssertionError(
                f"unbound did not answer (exit status {proc.poll()}): "
                + (log.read_text() if log.exists() else "it wrote no log")
            )
        yield port
    finally:
        proc.terminate()
        proc.wait(10)


def _ask(port: int, name: str) -> dns.message.Message:
    q = dns.message.make_query(name, "A")
    return dns.query.udp(q, "127.0.0.1", port=port, timeout=2)


def _assert_blocks(port: int) -> None:
    for name in (
        "icbc-kefu.top.",
        "www.icbc-kefu.top.",
        "a.b.icbc-kefu.top.",
        "xn--fsqu00a.xn--fiqs8s.",
        "m.xn--fsqu00a.xn--fiqs8s.",
    ):
        assert _ask(port, name).rcode() == dns.rcode.NXDOMAIN, name
    for name, ip in ALLOWED.items():
        r = _ask(port, name)
        assert r.rcode() == dns.rcode.NOERROR, name
        assert [rr.address for rrset in r.answer for rr in rrset] == [ip]


@pytest.fixture
def tmp(tmp_path: Path) -> Path:
    tmp_path.chmod(0o755)
    return tmp_path


def test_rpz_zone_passes_named_checkzone_and_unbound_blocks_names_and_subdomains(tmp: Path):
    zone = tmp / "fraud.rpz"
    info = write_blocklist(BLOCKED, fmt="rpz", out=zone)
    check = subprocess.run(
        [_need("named-checkzone"), "rpz.fraudwall", str(zone)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert f"loaded serial {info['serial']}" in check.stdout
    port = _free_port()
    conf = _config(
        tmp,
        port,
        f'  module-config: "respip iterator"\nremote-control:\n  control-enable: no\n'
        f'rpz:\n  name: "rpz.fraudwall."\n  zonefile: "{zone}"\n',
    )
    for p in _start(conf, port):
        _assert_blocks(p)


def test_unbound_local_zone_file_blocks_names_and_subdomains(tmp: Path):
    zones = tmp / "fraud.conf"
    write_blocklist(BLOCKED, fmt="unbound", out=zones)
    port = _free_port()
    conf = _config(tmp, port, f'remote-control:\n  control-enable: no\ninclude: "{zones}"\n')
    for p in _start(conf, port):
        _assert_blocks(p)


def test_rpz_serial_increases_on_every_export(tmp: Path):
    zone = tmp / "fraud.rpz"
    first = write_blocklist(BLOCKED, fmt="rpz", out=zone)["serial"]
    second = write_blocklist(BLOCKED, fmt="rpz", out=zone)["serial"]
    third = write_blocklist(BLOCKED[:1], fmt="rpz", out=zone)["serial"]
    assert first < second < third  # type: ignore[operator]
