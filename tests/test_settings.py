"""The settings check: what is worth a person's attention, and what an ordinary laptop has."""
from __future__ import annotations

import re

import pytest

from device_checkup.checks import texts
from device_checkup.checks.engine import run_scan
from device_checkup.checks.records import SETTING_KINDS, Setting
from device_checkup.checks.sources.base import Machine
from device_checkup.checks.sources.fs import FileSystem
from tests.helpers import ListSource, family_yaml, sigset_from_text

SIGS = sigset_from_text("schema: 1\nfamilies:\n" + family_yaml("proxyspy", "monitoring", "domains: [proxy.spy.example]"))


def scan(tmp_path, settings, started="2026-11-23T10:00:00+00:00"):
    machine = Machine(platform="macos", fs=FileSystem("macos", str(tmp_path)), live=True)
    result = run_scan(signatures=SIGS, machine=machine, sources=[ListSource("settings", settings)])
    return result


def S(kind, name, value, **detail):
    return Setting(kind=kind, name=name, value=value, location="test", detail=tuple(detail.items()))


ORDINARY = [
    S("proxy", "HTTP proxy", "off"),
    S("hosts-entry", "localhost", "127.0.0.1"), S("hosts-entry", "broadcasthost", "255.255.255.255"),
    S("dns-server", "Wi-Fi", "192.168.1.1"), S("dns-server", "Wi-Fi", "1.1.1.1"), S("dns-server", "Wi-Fi", "fe80::1%en0"),
    S("account", "alex", "", admin="yes", hidden="no", created="2024-01-02T00:00:00+00:00"),
    S("account", "_spotlight", "", admin="no", hidden="no"),
    S("privacy-grant", "Accessibility", "com.apple.universalaccessAuthWarn", allowed="yes"),
    S("privacy-grant", "Screen Recording", "us.zoom.xos", allowed="no"),
    S("remote-login", "Remote Login (SSH)", "off"),
]


def test_an_ordinary_laptops_settings_give_nothing(tmp_path):
    assert scan(tmp_path, ORDINARY).findings == []


def test_each_notable_setting_is_explained(tmp_path):
    planted = ORDINARY + [
        S("proxy", "HTTP proxy", "10.9.8.7:3128"),
        S("root-certificate", "Acme Inspection CA", "added by an administrator"),
        S("hosts-entry", "www.bank.example", "10.0.0.5"),
        S("dns-server", "Wi-Fi", "203.0.113.53"),
        S("account", "support", "", admin="yes", hidden="yes"),
        S("privacy-grant", "Input Monitoring", "com.example.kbd", allowed="yes"),
        S("profile", "Acme MDM", "enrolled"),
        S("remote-login", "Screen Sharing", "on"),
        S("authorized-key", "bob@laptop", "SHA256:abc"),
        S("antivirus-detection", "MonitoringTool:Win32/Ardamax", "detected 2026-11-01"),
    ]
    result = scan(tmp_path, planted)
    by = {f.heuristic: f for f in result.findings}
    assert set(by) == {"proxy", "root-certificate", "hosts-entry", "dns-server", "account", "privacy-grant",
                       "profile", "remote-login", "authorized-key", "antivirus-detection"}
    assert by["proxy"].what == "This laptop is set to send web traffic through 10.9.8.7:3128."
    assert "www.bank.example → 10.0.0.5" in by["hosts-entry"].what and "localhost" not in by["hosts-entry"].what
    assert "203.0.113.53" in by["dns-server"].what and "1.1.1.1" not in by["dns-server"].what
    # Two administrators, one hidden: both are named in one finding.
    assert [e.record.name for e in by["account"].evidence] == ["alex", "support"]
    assert by["antivirus-detection"].tier == "monitoring" and by["antivirus-detection"].severity == "high"
    assert all(f.tier == "settings" for k, f in by.items() if k != "antivirus-detection")
    for f in result.findings:
        for part in (f.title, f.what, f.why, f.do, f.careful):
            assert not re.search(r"\{[a-z_]+\}", part), part


def test_a_new_account_is_worth_checking(tmp_path):
    new = S("account", "helper", "", admin="no", hidden="no", created="2026-11-20T09:00:00+00:00")
    (f,) = scan(tmp_path, [new]).findings
    assert f.heuristic == "account"


def test_a_proxy_run_by_a_known_monitoring_service_is_that_services_finding(tmp_path):
    (f,) = scan(tmp_path, [S("proxy", "HTTPS proxy", "http://proxy.spy.example:8080")]).findings
    assert (f.family, f.tier) == ("proxyspy", "monitoring")


@pytest.mark.parametrize("kind", SETTING_KINDS)
def test_every_setting_kind_has_words(kind):
    for part in ("title", "what", "why", "do", "careful"):
        assert texts.text("settings", kind, part, name="n", value="v", list="l", count=2, user="u").strip()
