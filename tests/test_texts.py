"""Every tier, heuristic, reason and indicator kind has words, and the words follow WRITING.md."""
from __future__ import annotations

import re

import pytest

from device_checkup.checks import texts
from device_checkup.checks.findings import TIERS
from device_checkup.checks.snapshot import REASONS
from device_checkup.checks.records import RECORD_TYPES
from device_checkup.signatures.loader import INDICATOR_KINDS, TIERS as SIGNATURE_TIERS

PARTS = ("title", "what", "why", "do", "careful")


@pytest.mark.parametrize("tier", list(TIERS))
def test_every_tier_has_a_label_and_all_four_explanations(tier):
    node = texts.load()["tiers"][tier]
    assert node["label"].strip()
    for part in PARTS:
        assert node[part].strip(), (tier, part)


def test_every_signature_tier_is_a_finding_tier():
    # ISDi's bug: a label the loader accepts but nothing explains. Never here.
    assert set(SIGNATURE_TIERS) <= set(TIERS)


@pytest.mark.parametrize("tier", ["stalkerware", "monitoring", "remote-access", "watchware"])
def test_signature_tiers_fill_without_leftover_placeholders(tier):
    for part in PARTS:
        out = texts.text("tiers", tier, part, name="X", description="It does things.", place="a place")
        assert not re.search(r"\{[a-z_]+\}", out), (tier, part, out)


def test_every_signature_tier_warns_before_removal():
    for tier in ("stalkerware", "monitoring", "remote-access", "watchware"):
        assert "let the person who installed it know" in texts.text("tiers", tier, "careful")
        assert "evidence" in texts.text("tiers", tier, "careful")


@pytest.mark.parametrize("kind", INDICATOR_KINDS + ("heuristic",))
def test_every_indicator_kind_has_words(kind):
    assert texts.text("kinds", kind).strip()


@pytest.mark.parametrize("kind", list(RECORD_TYPES))
def test_every_record_kind_has_a_place_in_words(kind):
    assert "{" not in texts.text("places", kind, value="v")


@pytest.mark.parametrize("reason", REASONS)
def test_every_reason_has_words(reason):
    assert texts.reason_words(reason).strip()


def test_no_text_calls_anyone_safe_or_gives_orders():
    def walk(node):
        if isinstance(node, str):
            yield node
        elif isinstance(node, dict):
            for v in node.values():
                yield from walk(v)
        elif isinstance(node, list):
            for v in node:
                yield from walk(v)
    for line in walk(texts.load()):
        low = line.lower()
        assert "you are safe" not in low and "you're safe" not in low and "is safe" not in low.replace("it is safe to", "")
        assert "you must" not in low
