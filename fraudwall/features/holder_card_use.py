"""Where and in which handsets a holder's cards are used, against the holder's home city.

A person's cards live where the person lives: in one or two phones of the household, in the
home city (a traveller takes them along for a while). Cards registered on one ID and then sold
or rented out (转租转售) end up in strangers' phones in other cities. A card's place is the city
of its main cell over every sighting (calls, SMS, data sessions, device events); "away" means
a city other than the card's registered home city and, where the cells carry coordinates, at
least :data:`AWAY_KM` from it (twin cities such as Guangzhou and Foshan share commuters). A
card is "linked" to its holder when it called, or was called by, another card of the same
holder: a student's card away at university calls home; a card sold to a stranger does not.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from fraudwall.features.base import Feature, TableMap, feature_family
from fraudwall.features.device_residence import main_value

#: Distance from the home city's centre beyond which a city counts as far away: beyond the
#: reach of a metropolitan area's daily commuting.
AWAY_KM = 50.0
_EARTH_KM = 6371.0

FEATURES = (
    Feature("used_cards", "the holder's personal cards seen on the network in the period", "cards"),
    Feature("away_cards", "used cards whose main cell is in a far city (see module doc)", "cards"),
    Feature("away_cities", "distinct far cities among the away cards", "cities"),
    Feature("away_devices", "distinct main handsets among the away cards", "devices"),
    Feature(
        "away_unlinked", "away cards with no call to or from another card of the holder", "cards"
    ),
    Feature("devices", "distinct main handsets among all used cards", "devices"),
    Feature("home_city", "the holder's registered home city (most frequent on its cards)", "city"),
    Feature("first_seen", "first sighting of any used card", "timestamp"),
    Feature("last_seen", "last sighting of any used card", "timestamp"),
)


def _distance_km(
    lat1: ir.FloatingValue, lon1: ir.FloatingValue, lat2: ir.FloatingValue, lon2: ir.FloatingValue
) -> ir.FloatingValue:
    """Great-circle distance (haversine)."""
    p1, p2 = lat1.radians(), lat2.radians()
    dp, dl = (lat2 - lat1).radians(), (lon2 - lon1).radians()
    a = (dp / 2).sin() ** 2 + p1.cos() * p2.cos() * (dl / 2).sin() ** 2
    return 2 * _EARTH_KM * a.sqrt().asin()


@feature_family(
    name="holder_card_use",
    entity_type="holder_id_hash",
    requires=("subscribers", "calls", "cells"),
    window="ingested period",
    features=FEATURES,
)
def holder_card_use(t: TableMap) -> ibis.Table:
    """Per personal holder: its used cards, how many are used far from home, in how many phones."""
    s, cells = t["subscribers"], t["cells"]
    s = s.filter((s.holder_type == "personal") & s.holder_id_hash.notnull())
    # One pass over the sightings: the span and both main values read its per-place counts.
    raw = _cell_sightings(t)
    seen = raw.group_by("msisdn", "imei", "cell_id").agg(
        n=raw.count(), first_at=raw.at.min(), last_at=raw.at.max()
    )
    span = seen.group_by(entity_id=seen.msisdn).agg(
        first_seen=seen.first_at.min(), last_seen=seen.last_at.max()
    )
    dev = main_value(seen, "imei", rows="n").select("entity_id", main_imei="value")
    cell = main_value(seen, "cell_id", rows="n").select("entity_id", main_cell="value")
    home = span.left_join(dev, "entity_id").left_join(cell, "entity_id")
    centres = (
        cells.filter(cells.city.notnull())
        .group_by("city")
        .agg(lat=cells.lat.mean(), lon=cells.lon.mean())
    )
    cards = s.select("msisdn", holder=s.holder_id_hash, home_city=s.home_city)
    cards = cards.join(home, cards.msisdn == home.entity_id)
    use = cells.select(use_cell=cells.cell_id, use_city=cells.city)
    cards = cards.left_join(use, cards.main_cell == use.use_cell)
    hc = centres.select(hc=centres.city, hlat=centres.lat, hlon=centres.lon)
    cards = cards.left_join(hc, cards.home_city == hc.hc)
    uc = centres.select(uc=centres.city, ulat=centres.lat, ulon=centres.lon)
    cards = cards.left_join(uc, cards.use_city == uc.uc)
    km = _distance_km(cards.hlat, cards.hlon, cards.ulat, cards.ulon)
    other_city = (
        cards.use_city.notnull() & cards.home_city.notnull() & (cards.use_city != cards.home_city)
    )
    # Without coordinates a different city name is all there is to go on.
    away = other_city & (km.isnull() | (km >= AWAY_KM))
    cards = cards.mutate(away=away.fill_null(False))
    linked = _linked_cards(t["calls"], s)
    cards = cards.left_join(linked, cards.msisdn == linked.linked_msisdn)
    cards = cards.mutate(unlinked=cards.away & cards.linked_msisdn.isnull())
    per = cards.group_by(entity_id=cards.holder).agg(
        used_cards=cards.msisdn.nunique(),
        away_cards=cards.msisdn.nunique(where=cards.away),
        away_cities=cards.use_city.nunique(where=cards.away),
        away_devices=cards.main_imei.nunique(where=cards.away),
        away_unlinked=cards.msisdn.nunique(where=cards.unlinked),
        devices=cards.main_imei.nunique(),
        first_seen=cards.first_seen.min(),
        last_seen=cards.last_seen.max(),
    )
    # Not mode(): engines break its ties differently; main_value gives ties to the smaller city.
    city = main_value(cards, "home_city", by="holder").select("entity_id", home_city="value")
    per = per.left_join(city, "entity_id")
    return per.select("entity_id", *(f.name for f in FEATURES))


def _cell_sightings(t: TableMap) -> ir.Table:
    """Every time a number was seen: calls, SMS, data sessions and device events that exist.

    A card bought for mobile data or texting is seen only there; all of them place it.
    (:func:`fraudwall.features.number_devices.sightings` is the other kind: device identities,
    from the tables that carry them, with the rows that name none left out.)
    """
    columns = {
        "calls": "started_at",
        "sms": "sent_at",
        "data_sessions": "started_at",
        "device_events": "at",
    }
    parts = []
    for name, at in columns.items():
        if name in t:
            x = t[name]
            imei = x.imei if "imei" in x.columns else ibis.null("string")
            parts.append(x.select("msisdn", "cell_id", imei=imei, at=x[at]))
    return parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]


def _linked_cards(calls: ir.Table, cards: ir.Table) -> ir.Table:
    """Cards (column ``linked_msisdn``) that talked to another card of the same holder."""
    a = cards.select(a_msisdn=cards.msisdn, a_holder=cards.holder_id_hash)
    b = cards.select(b_msisdn=cards.msisdn, b_holder=cards.holder_id_hash)
    pairs = calls.join(a, calls.msisdn == a.a_msisdn).join(b, calls.other_party == b.b_msisdn)
    pairs = pairs.filter((pairs.a_holder == pairs.b_holder) & (pairs.a_msisdn != pairs.b_msisdn))
    return (
        pairs.select(linked_msisdn=pairs.a_msisdn)
        .union(pairs.select(linked_msisdn=pairs.b_msisdn))
        .distinct()
    )
