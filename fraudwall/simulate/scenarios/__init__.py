"""Planted scenarios and hard benign cases, set up in a fixed order on a background world."""

from __future__ import annotations

import numpy as np

from fraudwall.simulate.scenarios.benign import CallCentres, Couriers, Households
from fraudwall.simulate.scenarios.fraud import FraudCallers
from fraudwall.simulate.scenarios.fraud_sms import FraudSmsSenders
from fraudwall.simulate.scenarios.hard_negatives import (
    BorderVisitors,
    DormantReturned,
    InboundLines,
    NotificationSenders,
    SecondHandPhones,
    SharedDevices,
    SurveyLines,
    label_iot_fleets,
)
from fraudwall.simulate.scenarios.identity import CardResale, ManyCards, SilentAwakened
from fraudwall.simulate.scenarios.mobility import DeviceSwaps, Roaming, SimSwaps
from fraudwall.simulate.scenarios.noise import NoiseComplaints
from fraudwall.simulate.scenarios.nuisance import (
    AutoDialers,
    BulkSenders,
    Harassers,
    IotCards,
    Wangiri,
)
from fraudwall.simulate.scenarios.registration import Registration
from fraudwall.simulate.scenarios.rings import FraudRings
from fraudwall.simulate.scenarios.simbox import SimBoxes
from fraudwall.simulate.seeds import rng_for
from fraudwall.simulate.sms_content import build_pool
from fraudwall.simulate.world import Plant, World


def plant_all(world: World) -> None:
    """Plant every scenario and hard case into ``world`` (each from its own random stream)."""

    def rng(name: str) -> np.random.Generator:
        return rng_for(world.seed, "plant", name)

    reg = Registration(world, rng("registration"))
    fraud = FraudCallers(world, rng("fraud"), reg)
    simbox = SimBoxes(world, rng("simbox"), reg, fraud)
    reg.finish(world, rng("registration_finish"))
    plants: list[Plant] = [
        reg,
        fraud,
        simbox,
        ManyCards(world, rng("many_cards")),
        CardResale(world, rng("card_resale")),
        SilentAwakened(world, rng("silent")),
        SimSwaps(world, rng("sim_swap")),
        DeviceSwaps(world, rng("device_swap")),
        Roaming(world, rng("roaming")),
        AutoDialers(world, rng("auto_dialers")),
        Harassers(world, rng("harassers")),
        Wangiri(world, rng("wangiri")),
        BulkSenders(world, rng("bulk_sms")),
        IotCards(world, rng("iot")),
    ]
    centres = CallCentres(world, rng("call_centres"))
    couriers = Couriers(world, rng("couriers"))
    plants += [centres, couriers, Households(world, rng("households"))]
    surveys = SurveyLines(world, rng("survey_lines"))
    inbound = InboundLines(world, rng("inbound_lines"))
    plants += [
        NotificationSenders(world, rng("notification_senders")),
        inbound,
        surveys,
        BorderVisitors(world, rng("border_visitors")),
        SharedDevices(world, rng("shared_devices")),
        SecondHandPhones(world, rng("second_hand")),
        DormantReturned(world, rng("dormant")),
    ]
    label_iot_fleets(world)
    busy = np.concatenate(
        [centres.subs, couriers.drivers, couriers.sales, surveys.subs, inbound.subs]
    )
    plants.append(NoiseComplaints(world, rng("noise"), busy))
    plants.append(FraudRings(world, rng("fraud_rings"), reg, fraud.domains))
    plants.append(FraudSmsSenders(world, rng("fraud_sms")))
    world.texts = build_pool(world, rng("texts"), fraud.domains)
    world.plants = plants
    world.forget_pools()  # pools of ordinary people were sampled while plants were taking them
