"""The scenarios: the shared vocabulary of what fraudwall detects (contract v1)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    name: str
    entity_type: str
    doc: str


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("fraud_caller", "msisdn", "number used to call and defraud people"),
        Scenario("simbox", "imei", "SIM-box / GOIP device rotating many SIMs"),
        Scenario("simbox_sim", "msisdn", "a SIM operated inside a SIM-box"),
        Scenario("den", "cell_id", "a location hosting fraud devices (窝点)"),
        Scenario("abnormal_registration", "outlet_id", "bulk or irregular SIM registrations"),
        Scenario("id_many_cards", "holder_id_hash", "one ID holding more cards than allowed"),
        Scenario("silent_awakened", "msisdn", "long-silent card suddenly active"),
        Scenario("sim_swap", "msisdn", "frequent SIM changes behind one number or device"),
        Scenario("device_swap", "msisdn", "frequent handset changes"),
        Scenario("high_risk_roaming", "msisdn", "presence in high-risk areas"),
        Scenario("high_frequency", "msisdn", "abnormal call frequency"),
        Scenario("harassment", "msisdn", "harassment / nuisance calling"),
        Scenario("wangiri", "msisdn", "one-ring calls baiting call-backs"),
        Scenario("bulk_sms", "msisdn", "mass SMS sending"),
        Scenario("iot_misuse", "msisdn", "IoT card used for person-to-person voice/SMS"),
        Scenario("card_resale", "holder_id_hash", "cards of one holder used by others"),
        Scenario("victim", "msisdn", "subscriber likely being defrauded now"),
        Scenario("fraud_domain", "domain", "domain used for fraud"),
        Scenario(
            "fraud_ring",
            "msisdn",
            "number of a fraud ring: callers sharing victims, devices, holders or outlets",
        ),
        Scenario("fraud_sms", "msisdn", "sender of SMS whose content is classified as fraud"),
    )
}

#: The five most frequent fraud types; ``labels.detail`` of fraud_caller rows uses these names.
FRAUD_TYPES = (
    "click_farming",
    "fake_investment",
    "fake_loan",
    "fake_customer_service",
    "police_impersonation",
)
