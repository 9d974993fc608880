"""Real-time call screening: allow, label or block each call set-up before it is answered.

The engine (:class:`Engine`) is pure: state stores, blacklists, batch risk and subscriber
settings are passed in, so it runs in the worker, in replay and in benchmarks alike.
"""

from fraudwall.screening.decision import Action, Decision
from fraudwall.screening.engine import Engine
from fraudwall.screening.lookups import DictRisk, DictSettings, SetLists, SubscriberSettings
from fraudwall.screening.policy import ScreeningPolicy
from fraudwall.screening.stores import MemoryStore, RedisStore, open_store

__all__ = [
    "Action",
    "Decision",
    "DictRisk",
    "DictSettings",
    "Engine",
    "MemoryStore",
    "RedisStore",
    "ScreeningPolicy",
    "SetLists",
    "SubscriberSettings",
    "open_store",
]
