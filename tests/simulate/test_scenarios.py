"""Every scenario is planted, labelled with ids that exist in the data, and behaves as defined
in docs/simulator.md."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from fraudwall.contract import FRAUD_TYPES, SCENARIOS
from fraudwall.simulate import Summary
from fraudwall.simulate.labels import BENIGN_KINDS

#: Where each entity type must appear in the data.
EXISTS_IN = {
    "msisdn": "SELECT msisdn FROM subscribers",
    "imei": "SELECT imei FROM calls UNION SELECT imei FROM device_events",
    "holder_id_hash": "SELECT holder_id_hash FROM subscribers",
    "outlet_id": "SELECT outlet_id FROM subscribers",
    "cell_id": "SELECT cell_id FROM cells",
    "domain": "SELECT domain FROM data_sessions",
}


def _ids(label: str, detail: str | None = None) -> str:
    cond = f" AND detail = '{detail}'" if detail else ""
    return f"(SELECT entity_id FROM labels WHERE label = '{label}'{cond})"


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_every_scenario_is_planted_with_existing_ids(
    scenario: str, world: Summary, one: Callable[[str], Any]
) -> None:
    entity = SCENARIOS[scenario].entity_type
    n = one(f"SELECT count(*) FROM labels WHERE label = '{scenario}'")
    assert n >= (7 if scenario == "den" else 10)
    assert world.planted[scenario] == n
    wrong_type = one(
        f"SELECT count(*) FROM labels WHERE label = '{scenario}' AND entity_type <> '{entity}'"
    )
    assert wrong_type == 0
    missing = one(
        f"SELECT count(*) FROM {_ids(scenario)} l WHERE entity_id NOT IN ({EXISTS_IN[entity]})"
    )
    assert missing == 0


def test_labels_carry_fraud_types_and_benign_kinds(db: Any, one: Callable[[str], Any]) -> None:
    details = {
        d
        for (d,) in db.execute(
            "SELECT DISTINCT detail FROM labels WHERE label = 'fraud_caller'"
        ).fetchall()
    }
    assert details == {*FRAUD_TYPES, "simbox"}
    kinds = {
        d
        for (d,) in db.execute(
            "SELECT DISTINCT detail FROM labels WHERE label = 'benign'"
        ).fetchall()
    }
    # One day at the border is short of the planted scenario only in worlds of 3+ days.
    days = one("SELECT count(DISTINCT started_at::DATE) FROM calls")
    assert kinds == set(BENIGN_KINDS) - ({"border_traveller"} if days < 3 else set())
    assert one("SELECT count(DISTINCT source) FROM labels") == 1
    # simbox SIMs and ring members are fraud callers too, and any number whose held texts are
    # fraud is a fraud SMS sender besides; otherwise the planted populations are distinct.
    assert (
        one(f"""SELECT count(*) FROM {_ids("simbox_sim")} s
                   WHERE entity_id NOT IN {_ids("fraud_caller", "simbox")}""")
        == 0
    )
    overlap = one(
        """SELECT count(*) FROM (SELECT entity_id FROM labels WHERE entity_type = 'msisdn'
             AND label NOT IN ('simbox_sim', 'fraud_ring', 'fraud_sms') GROUP BY 1
             HAVING count(DISTINCT label) > 1)"""
    )
    assert overlap == 0


#: For each scenario, a query counting labelled entities that do NOT behave as defined.
MISBEHAVING = {
    # A ring member shares a handset and called strangers in common with another member.
    "fraud_ring": """
        SELECT l.entity_id FROM labels l WHERE l.label = 'fraud_ring' AND (
            NOT EXISTS (
                SELECT 1 FROM calls a JOIN calls b ON a.imei = b.imei AND a.msisdn <> b.msisdn
                JOIN labels m ON m.entity_id = b.msisdn AND m.label = 'fraud_ring'
                  AND m.detail = l.detail
                WHERE a.msisdn = l.entity_id)
         OR NOT EXISTS (
                SELECT 1 FROM calls a JOIN calls b
                  ON a.other_party = b.other_party AND a.msisdn <> b.msisdn
                JOIN labels m ON m.entity_id = b.msisdn AND m.label = 'fraud_ring'
                  AND m.detail = l.detail
                WHERE a.msisdn = l.entity_id AND a.direction = 'MO' AND b.direction = 'MO'))""",
    "fraud_caller": f"""
        SELECT msisdn FROM calls WHERE msisdn IN {_ids("fraud_caller")} GROUP BY 1
        HAVING count(DISTINCT other_party) FILTER (WHERE direction = 'MO') < 20
            OR count(*) FILTER (WHERE direction = 'MT')
               > 0.2 * count(*) FILTER (WHERE direction = 'MO')""",
    "simbox": f"""
        SELECT imei FROM device_events WHERE imei IN {_ids("simbox")} GROUP BY 1
        HAVING count(DISTINCT msisdn) < 8 OR count(DISTINCT cell_id) > 1
            OR count(*) FILTER (WHERE event = 'sim_change') < 8""",
    "simbox_sim": f"""
        SELECT s.entity_id FROM {_ids("simbox_sim")} s(entity_id) WHERE
            (SELECT count(DISTINCT imei) FROM calls WHERE msisdn = s.entity_id) <> 1
         OR (SELECT count(*) FROM calls WHERE msisdn = s.entity_id AND direction = 'MT') > 0
         OR (SELECT count(*) FROM sms WHERE msisdn = s.entity_id AND direction = 'MT') > 0
         OR (SELECT count(*) FROM data_sessions WHERE msisdn = s.entity_id) > 0""",
    "den": f"""
        SELECT entity_id FROM {_ids("den")} d(entity_id) WHERE
            (SELECT count(DISTINCT imei) FROM calls WHERE cell_id = d.entity_id
              AND msisdn IN {_ids("fraud_caller")}) < 1""",
    "abnormal_registration": """
        SELECT l.entity_id FROM labels l JOIN subscribers s ON s.outlet_id = l.entity_id
          AND s.activated_at::DATE BETWEEN l.at::DATE AND l.at::DATE + 2
        WHERE l.label = 'abnormal_registration' GROUP BY 1
        HAVING count(*) < 15 OR avg((kyc_face_match < 0.8)::INT) < 0.3""",
    "id_many_cards": f"""
        SELECT holder_id_hash FROM subscribers WHERE holder_id_hash IN {_ids("id_many_cards")}
        GROUP BY 1 HAVING count(*) NOT BETWEEN 6 AND 15""",
    "silent_awakened": """
        SELECT l.entity_id FROM labels l WHERE l.label = 'silent_awakened' AND (
            (SELECT count(*) FROM calls WHERE msisdn = l.entity_id AND started_at < l.at) > 0
         OR (SELECT count(*) FROM calls WHERE msisdn = l.entity_id AND direction = 'MO') < 10
         OR (SELECT min(activated_at) FROM subscribers WHERE msisdn = l.entity_id)
             > l.at - INTERVAL 700 DAY)""",
    "sim_swap": f"""
        SELECT msisdn FROM device_events WHERE msisdn IN {_ids("sim_swap")} GROUP BY 1
        HAVING count(DISTINCT imsi) < 3 OR count(*) FILTER (WHERE event = 'sim_change') < 3""",
    "device_swap": f"""
        SELECT msisdn FROM device_events WHERE msisdn IN {_ids("device_swap")} GROUP BY 1
        HAVING count(DISTINCT imei) < 3""",
    "high_risk_roaming": f"""
        SELECT msisdn FROM calls LEFT JOIN cells USING (cell_id)
        WHERE msisdn IN {_ids("high_risk_roaming")} GROUP BY 1
        HAVING count(*) FILTER (WHERE risk_area >= 2
                                   OR roaming_region IN ('MM', 'KH', 'LA', 'PH')) = 0""",
    "high_frequency": f"""
        SELECT msisdn FROM (SELECT msisdn, date_trunc('hour', started_at) h, count(*) n
          FROM calls WHERE direction = 'MO' AND msisdn IN {_ids("high_frequency")} GROUP BY 1, 2)
        GROUP BY 1 HAVING count(*) FILTER (WHERE n >= 60) < 2""",
    "harassment": f"""
        SELECT l.entity_id FROM {_ids("harassment")} l(entity_id) WHERE
            (SELECT max(n) FROM (SELECT count(*) n FROM calls WHERE msisdn = l.entity_id
                AND direction = 'MO' GROUP BY other_party)) < 5
         OR (SELECT count(*) FROM complaints WHERE reported_number = l.entity_id
                AND category = 'harassment') = 0""",
    "wangiri": f"""
        SELECT msisdn FROM calls WHERE msisdn IN {_ids("wangiri")} GROUP BY 1
        HAVING max(duration_s) FILTER (WHERE direction = 'MO') > 0
            OR count(DISTINCT other_party) FILTER (WHERE direction = 'MO') < 100
            OR count(*) FILTER (WHERE direction = 'MT' AND duration_s > 0) = 0""",
    "bulk_sms": f"""
        SELECT msisdn FROM sms WHERE msisdn IN {_ids("bulk_sms")} AND direction = 'MO'
        GROUP BY 1 HAVING count(*) < 200 * 2 OR count(DISTINCT other_party) < 0.5 * count(*)""",
    "iot_misuse": f"""
        SELECT s.msisdn FROM subscribers s WHERE s.msisdn IN {_ids("iot_misuse")} AND (
            s.holder_type <> 'iot' OR (SELECT count(DISTINCT other_party) FROM calls c
            WHERE c.msisdn = s.msisdn AND direction = 'MO') < 5)""",
    "card_resale": f"""
        SELECT holder_id_hash FROM subscribers s JOIN calls c USING (msisdn)
        WHERE holder_id_hash IN {_ids("card_resale")} GROUP BY 1
        HAVING count(DISTINCT c.roaming_region) FILTER (WHERE c.roaming_region LIKE 'CN-%') = 0
            OR count(DISTINCT c.imei) < 2""",
    "victim": f"""
        SELECT v.entity_id FROM {_ids("victim")} v(entity_id) WHERE
            (SELECT max(duration_s) FROM calls WHERE msisdn = v.entity_id
               AND other_party IN {_ids("fraud_caller")}) < 180
         OR (SELECT count(*) FROM calls WHERE msisdn = v.entity_id AND direction = 'MO'
               AND other_party LIKE '955%') = 0
         OR (SELECT count(*) FROM data_sessions WHERE msisdn = v.entity_id
               AND domain IN {_ids("fraud_domain")}) = 0""",
    # A fraud SMS sender is labelled from its first held fraud text on; its texts are never
    # sent by a number the truth does not call a fraud SMS sender.
    "fraud_sms": f"""
        SELECT l.entity_id FROM labels l WHERE l.label = 'fraud_sms' AND (
            NOT EXISTS (SELECT 1 FROM sms s WHERE s.msisdn = l.entity_id AND s.direction = 'MO'
                          AND s.content IS NOT NULL AND s.sent_at = l.at)
         OR EXISTS (SELECT 1 FROM sms s JOIN sms o ON o.content = s.content
                      AND o.direction = 'MO' AND o.msisdn NOT IN {_ids("fraud_sms")}
                    WHERE s.msisdn = l.entity_id AND s.direction = 'MO'))""",
    "fraud_domain": f"""
        SELECT domain FROM data_sessions WHERE domain IN {_ids("fraud_domain")} GROUP BY 1
        HAVING avg((msisdn IN (SELECT entity_id FROM labels WHERE label IN
                    ('victim', 'fraud_caller')))::INT) < 0.5""",
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_scenario_behaves_as_defined(scenario: str, db: Any, one: Callable[[str], Any]) -> None:
    assert scenario in MISBEHAVING, f"no behaviour check for {scenario}"
    bad = db.execute(MISBEHAVING[scenario]).fetchall()
    assert bad == [], f"{scenario}: {len(bad)} labelled entities do not behave as defined"


def test_benign_look_alikes_differ_where_it_matters(one: Callable[[str], Any]) -> None:
    # Call centres dial a lot but get answered and called back.
    cc_unanswered = one(f"""SELECT avg((duration_s = 0)::INT) FROM calls WHERE direction = 'MO'
                            AND msisdn IN {_ids("benign", "call_centre")}""")
    fraud_unanswered = one(f"""SELECT avg((duration_s = 0)::INT) FROM calls
                               WHERE direction = 'MO' AND msisdn IN {_ids("fraud_caller")}""")
    assert cc_unanswered < fraud_unanswered
    inbound = one(f"""SELECT count(*) FROM calls WHERE direction = 'MT'
                      AND msisdn IN {_ids("benign", "call_centre")}""")
    assert inbound > 0
    # Promotion days use genuine face scores; abnormal bursts do not.
    promo = one(f"""SELECT avg(kyc_face_match) FROM subscribers
                    WHERE outlet_id IN {_ids("benign", "promotion_day")}""")
    abnormal = one(f"""SELECT avg(kyc_face_match) FROM subscribers
                       WHERE outlet_id IN {_ids("abnormal_registration")}""")
    assert promo > abnormal
    # Families hold 4-5 cards, under the limit of id_many_cards.
    most = one(f"""SELECT max(n) FROM (SELECT count(*) n FROM subscribers
                   WHERE holder_id_hash IN {_ids("benign", "family_cards")}
                   GROUP BY holder_id_hash)""")
    assert most <= 5


def test_docs_define_every_scenario_and_benign_kind() -> None:
    from pathlib import Path

    from fraudwall.simulate.params import HIGH_RISK_REGIONS

    text = (Path(__file__).resolve().parents[2] / "docs" / "simulator.md").read_text("utf-8")
    for name in SCENARIOS:
        assert f"| `{name}` (" in text, f"docs/simulator.md lacks a definition of {name}"
    for kind in BENIGN_KINDS:
        assert f"| `{kind}` |" in text, f"docs/simulator.md lacks the benign kind {kind}"
    for t in FRAUD_TYPES:
        assert f"| {t} |" in text
    assert all(f"`{r}`" in text for r in HIGH_RISK_REGIONS)


def test_police_feedback_samples_the_fraud_numbers(db: Any, one: Callable[[str], Any]) -> None:
    # The input labels table confirms some fraud numbers, never anything the truth does not say.
    not_true = one(
        """SELECT count(*) FROM police p ANTI JOIN labels l
           ON p.entity_id = l.entity_id AND p.label = l.label"""
    )
    assert not_true == 0
    assert (
        one(
            "SELECT count(DISTINCT label) FROM police WHERE label NOT IN "
            "('fraud_caller', 'simbox_sim')"
        )
        == 0
    )
    given = one("SELECT count(DISTINCT entity_id) FROM police")
    fraud = one(
        """SELECT count(DISTINCT entity_id) FROM labels
           WHERE label IN ('fraud_caller', 'simbox_sim')"""
    )
    assert 0.2 * fraud < given < 0.4 * fraud
