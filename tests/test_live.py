"""Plant real artefacts on this machine and find each one through the live scan.

A program started under a known name, and a loopback connection to an address named in a
test signature file. Everything planted is removed again (the program is stopped by the
test, never by the app).
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys

import pytest

from device_checkup.checks.engine import run_scan
from device_checkup.checks.sources.base import Machine
from device_checkup.checks.sources.system import ConnectionsSource, ProcessesSource
from tests.helpers import family_yaml, sigset_from_text

pytestmark = [pytest.mark.live,
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="plants with Linux tools")]

PLANTED_NAME = "dc-planted-spyd"
LOOPBACK = "127.0.0.77"


@pytest.fixture
def planted(tmp_path):
    program = tmp_path / PLANTED_NAME
    shutil.copy(shutil.which("sleep"), program)
    proc = subprocess.Popen([str(program), "60"])
    server = socket.socket()
    server.bind((LOOPBACK, 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname(), timeout=5)
    accepted, _ = server.accept()
    try:
        yield program, proc, client.getsockname()
    finally:
        for s in (accepted, client, server):
            s.close()
        proc.kill()
        proc.wait()


def test_the_live_scan_finds_a_planted_program_and_connection(planted):
    program, proc, local = planted
    sigs = sigset_from_text("schema: 1\nfamilies:\n" + family_yaml("planted", "stalkerware", f"""
process_names: [{PLANTED_NAME}]
ips: [{LOOPBACK}/32]
""", name="Planted"))
    machine = Machine.live_machine()
    result = run_scan(signatures=sigs, machine=machine, sources=[ProcessesSource(), ConnectionsSource()])
    (finding,) = [f for f in result.findings if f.family == "planted"]
    procs = [e.record for e in finding.evidence if e.record_kind == "processes"]
    conns = [e.record for e in finding.evidence if e.record_kind == "connections"]
    assert [p.pid for p in procs] == [proc.pid]
    assert procs[0].exe == str(program)
    assert any(c.remote_address == LOOPBACK and c.local_port == local[1] for c in conns)
    assert proc.poll() is None, "the app must never stop a program"


def test_connections_and_listeners_share_one_read_of_the_socket_table_per_scan(monkeypatch):
    """psutil finds each socket's program by looking through every program's open files: the two
    sources take the same table, read once a scan, and the next scan reads it again. A real
    listening socket (on every address, so not loopback) is in both, from that one read."""
    import psutil

    from device_checkup.checks.sources.system import ListenersSource
    reads = []
    real = psutil.net_connections

    def counted(kind="inet"):
        reads.append(kind)
        return real(kind)
    monkeypatch.setattr(psutil, "net_connections", counted)
    server = socket.socket()
    server.bind(("0.0.0.0", 0))
    server.listen(1)
    port = server.getsockname()[1]
    try:
        sigs = sigset_from_text("schema: 1\nfamilies: []\n")
        machine = Machine.live_machine()
        for scan in (1, 2):
            result = run_scan(signatures=sigs, machine=machine, sources=[ConnectionsSource(), ListenersSource()])
            assert reads == ["inet"] * scan
            assert any(c.local_port == port and c.status == psutil.CONN_LISTEN for c in result.snapshot.of("connections"))
            assert [lst.port for lst in result.snapshot.of("listeners") if lst.port == port] == [port]
    finally:
        server.close()
