"""SMS content: held on a sample of messages, ordinary and fraud alike, with hard look-alikes."""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from fraudwall.contract import FRAUD_TYPES
from fraudwall.simulate.sms_content import held_share
from fraudwall.simulate.sms_templates import KIND, KINDS, TEMPLATES

FRAUD_IDS = "(SELECT entity_id FROM labels WHERE label = 'fraud_sms')"


def test_content_is_held_on_a_sample_and_matches_the_length(one: Callable[[str], Any]) -> None:
    share = one("SELECT avg((content IS NOT NULL)::INT) FROM sms")
    assert 0.005 < share < 0.1
    assert (
        one("SELECT count(*) FROM sms WHERE content IS NOT NULL AND length(content) <> length") == 0
    )
    assert one("SELECT count(*) FROM sms WHERE content = ''") == 0


def test_content_alone_does_not_mark_a_fraud_sender(one: Callable[[str], Any]) -> None:
    # Ordinary messages are held too: people's chat, company notices, adverts.
    ordinary = one(
        f"""SELECT count(DISTINCT msisdn) FROM sms WHERE direction = 'MO'
            AND content IS NOT NULL AND msisdn NOT IN {FRAUD_IDS}"""
    )
    assert ordinary >= one(f"SELECT count(*) FROM {FRAUD_IDS}")
    for kind, who in (
        ("notification_sender", "benign"),
        ("", "bulk_sms"),
    ):
        cond = f"label = '{who}'" + (f" AND detail = '{kind}'" if kind else "")
        held = one(
            f"""SELECT count(*) FROM sms WHERE direction = 'MO' AND content IS NOT NULL
                AND msisdn IN (SELECT entity_id FROM labels WHERE {cond})
                AND msisdn NOT IN {FRAUD_IDS}"""
        )
        assert held > 0, who


def test_legitimate_look_alikes_carry_links_and_numbers(one: Callable[[str], Any]) -> None:
    # Bank notices with the bank's own site, received from banks and sent by company lines.
    assert one("SELECT count(*) FROM sms WHERE content LIKE '%银行】%' AND content LIKE '%.c%'") > 0
    adverts = one(
        f"""SELECT count(*) FROM sms WHERE direction = 'MO' AND content LIKE '%退订%'
            AND msisdn NOT IN {FRAUD_IDS}"""
    )
    assert adverts > 0


def test_fraud_texts_are_obfuscated_in_part_and_link_to_fraud_domains(
    db: Any, one: Callable[[str], Any]
) -> None:
    rows = db.execute(
        f"""SELECT DISTINCT content FROM sms WHERE direction = 'MO' AND content IS NOT NULL
            AND msisdn IN {FRAUD_IDS}"""
    ).fetchall()
    texts = [r[0] for r in rows]
    # full-width letters and digits (not the full-width punctuation Chinese text uses anyway)
    wide = [t for t in texts if re.search("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]", t)]
    assert 0 < len(wide) < len(texts)
    from fraudwall.content.extract import extract

    domains = {d for t in texts for d in extract(t).domains}
    fraud_domains = {
        r[0]
        for r in db.execute("SELECT entity_id FROM labels WHERE label = 'fraud_domain'").fetchall()
    }
    assert domains & fraud_domains
    assert domains <= fraud_domains  # fraud SMS send people to the scam's own sites


def test_every_fraud_template_names_a_way_to_reach_the_sender() -> None:
    contact = {"url", "phone", "wechat", "qq"}
    for kind in FRAUD_TYPES:
        for t in TEMPLATES[kind]:
            slots = {f for _, f, _, _ in string.Formatter().parse(t) if f}
            assert slots & contact, t
    assert set(TEMPLATES) == set(KINDS)


def test_fraud_is_held_more_often_than_adverts_and_those_than_the_rest() -> None:
    s = held_share(np.array([KIND[k] for k in ("fake_loan", "marketing", "chat")]))
    assert s[0] > s[1] > s[2] > 0


def test_templates_share_no_phrase_with_the_research_texts() -> None:
    # The research SMS set is for evaluation only: no template may copy from it.
    corpus_file = Path(__file__).resolve().parents[3] / "shared/data/fraud_texts/train.csv"
    if not corpus_file.exists():
        pytest.skip("the research texts are not beside the checkout")
    corpus = corpus_file.read_text("utf-8")
    copied = []
    for templates in TEMPLATES.values():
        for t in templates:
            literal = re.sub(r"\{[a-z_]+\}", "\x00", t)
            for seg in re.split(r"[\x00，。：；！？、\s【】]", literal):
                if len(seg) >= 8 and seg in corpus:
                    copied.append(seg)
    assert copied == []
