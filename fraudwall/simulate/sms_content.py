"""Message content: the texts a world's SMS carry, and which of them the operator holds.

An operator lawfully holds the content of only a sample of messages: those recipients
reported, and copies caught by spam-trap numbers. Every SMS event has a *kind* (what it says:
one of :data:`~fraudwall.simulate.sms_templates.KINDS`), set by the plant that sent it or,
left at ``AUTO_KIND``, decided here from the sender (a bank's number sends bank notices, a
``1069`` gateway codes, parcels and adverts, a company's notification line the same, a person
chat). A held message gets a text of its kind from the world's :class:`TextPool`, which is
filled once per world from the templates: different seeds give different brands, amounts,
links, numbers and ids, and a share of the fraud texts are obfuscated the way spam gangs evade
keyword filters (full-width characters, traditional characters, symbols between characters,
``hxxp`` and ``[.]`` in links).

The truth of the ``fraud_sms`` scenario is written here: a number that sent a held message of a
fraud kind is labelled ``fraud_sms`` (``detail``: the fraud type) from that message on. Fraud
texts whose content nobody holds leave no evidence and no label.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from fraudwall.contract import FRAUD_TYPES
from fraudwall.simulate.day import Day
from fraudwall.simulate.events import Batch
from fraudwall.simulate.geo import CITIES
from fraudwall.simulate.sms_templates import (
    APP_HEADS,
    APP_TAILS,
    BANKS,
    COURIERS,
    DISHES,
    KIND,
    KINDS,
    PLACES,
    RELATIVES,
    SHOP_LINKS,
    SHOPS,
    TEMPLATES,
    WECHAT_HEADS,
    WHENS,
)
from fraudwall.simulate.world import ENTERPRISE, World

#: Filled texts per template and world.
VARIANTS = 24
#: Share of fraud texts rewritten with keyword-filter evasions.
OBFUSCATED = 0.3
#: Chance that the operator holds a message's content: fraud texts are reported and caught by
#: spam traps more often than adverts, adverts more often than everything else.
HELD_FRAUD, HELD_MARKETING, HELD_ORDINARY = 0.05, 0.02, 0.01
#: Texts a fraud sender rotates through on one day (a campaign reuses one text for everybody).
CAMPAIGN_TEXTS = 3
N_FRAUD = len(FRAUD_TYPES)
_ALNUM = np.array(list(string.ascii_letters + string.digits))
_DIGITS = np.array(list(string.digits))
_LINK = "\ue000"  # stands for a link while the text around it is obfuscated


@dataclass
class TextPool:
    """The texts of one world, grouped by kind: kind ``k`` owns ``start[k] .. start[k] +
    count[k] - 1``."""

    texts: pa.StringArray
    lengths: np.ndarray
    start: np.ndarray
    count: np.ndarray

    def text_kind(self) -> np.ndarray:
        """Kind code of every text."""
        return np.repeat(np.arange(self.count.size), self.count)


def held_share(kind: np.ndarray) -> np.ndarray:
    """Chance that a message of each kind has its content held."""
    share = np.full(kind.shape, HELD_ORDINARY)
    share[(kind >= 0) & (kind < N_FRAUD)] = HELD_FRAUD
    share[kind == KIND["marketing"]] = HELD_MARKETING
    return share


def build_pool(world: World, rng: np.random.Generator, fraud_domains: np.ndarray) -> TextPool:
    """Fill every template :data:`VARIANTS` times; links in fraud texts of type ``t`` lead to
    the fraud domains ``fraud_domains[t]`` (the ``fraud_domain`` scenario's hosts)."""
    from fraudwall.content.obfuscate import Evasion, obfuscate

    evasion = Evasion(full_width=0.3, traditional=0.5, filler=0.12, homophone=0.0)
    slots = _Slots(rng, world, fraud_domains)
    texts: list[str] = []
    count = np.zeros(len(KINDS), dtype=np.int64)
    for k, kind in enumerate(KINDS):
        for template in TEMPLATES[kind]:
            for _ in range(VARIANTS):
                values = slots.values(template, k)
                if k < N_FRAUD and rng.random() < OBFUSCATED:
                    # Links stay usable (their own tricks are hxxp, [.] and 。); the words and
                    # numbers around them are disguised.
                    link = values.pop("url", None)
                    text = template.format(**values, url=_LINK)
                    text = obfuscate(text, seed=int(rng.integers(1 << 31)), evasion=evasion)
                    text = text.replace(_LINK, link or "")
                else:
                    text = template.format(**values)
                # Only characters every output encoding (GBK CSV too) can write.
                texts.append(text.encode("gbk", "ignore").decode("gbk"))
        count[k] = len(TEMPLATES[kind]) * VARIANTS
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    return TextPool(pa.array(texts, pa.string()), lengths, start, count)


class _Slots:
    """Values for the template slots (one draw per slot per text)."""

    def __init__(self, rng: np.random.Generator, world: World, fraud_domains: np.ndarray):
        self.rng = rng
        self.domains = [[world.domains[int(d)] for d in row] for row in fraud_domains]
        self.simple: dict[str, tuple[str, ...]] = {
            "shop": SHOPS,
            "courier": COURIERS,
            "city": tuple(c.name for c in CITIES),
            "relative": RELATIVES,
            "place": PLACES,
            "when": WHENS,
            "dish": DISHES,
        }

    def _pick(self, values: Sequence[str]) -> str:
        return values[int(self.rng.integers(len(values)))]

    def _digits(self, n: int) -> str:
        return "".join(_DIGITS[self.rng.integers(0, 10, n)])

    def _alnum(self, lo: int, hi: int) -> str:
        return "".join(_ALNUM[self.rng.integers(0, _ALNUM.size, int(self.rng.integers(lo, hi)))])

    def _url(self, kind: int) -> str:
        host = self._pick(self.domains[kind])
        path = self._alnum(3, 7)
        form = int(self.rng.integers(6))
        if form == 0:
            return f"http://{host}/{path}"
        if form == 1:
            return f"https://{host}/{path}"
        if form == 2:
            return f"{host}/{path}"
        if form == 3:
            return f"hxxp://{host.replace('.', '[.]')}/{path}"
        if form == 4:
            return host.replace(".", "。")
        return f"https://{host}"

    def _phone(self, kind: int) -> str:
        r = self.rng.random()
        if kind < N_FRAUD and r < 0.5:
            return "1" + self._pick(("3", "5", "7", "8", "9")) + self._digits(9)
        if r < 0.8:
            return f"400-{self._digits(3)}-{self._digits(4)}"
        return f"0{self._digits(2)}-{self._digits(8)}"

    def value(self, name: str, kind: int, bank: tuple[str, str, str]) -> str:
        """One slot's value; ``bank`` is the text's bank (name, site and hotline agree)."""
        rng = self.rng
        if name in self.simple:
            return self._pick(self.simple[name])
        if name.startswith("bank"):
            if name == "bank_url":
                return self._pick((bank[1], f"www.{bank[1]}", f"https://{bank[1]}"))
            return bank[0] if name == "bank" else bank[2]
        if name == "app":
            return self._pick(APP_HEADS) + self._pick(APP_TAILS)
        if name == "url":
            return self._url(kind)
        if name == "shop_url":
            return self._pick(SHOP_LINKS) + self._alnum(4, 8)
        if name == "phone":
            return self._phone(kind)
        if name == "wechat":
            return self._pick(WECHAT_HEADS) + self._digits(int(rng.integers(4, 9)))
        if name == "qq":
            return str(int(rng.integers(10**5, 10**10)))
        if name in ("code", "pickup", "tail"):
            return self._digits({"code": 6, "pickup": int(rng.integers(4, 7)), "tail": 4}[name])
        if name == "case":
            return f"{self._pick(('JD', 'SF', 'YT', 'GA', 'AJ'))}{self._digits(10)}"
        ranges = {
            "amount": (200, 50_000),
            "small": (10, 500),
            "big": (1, 50),
            "pct": (3, 30),
            "balance": (100, 90_000),
            "discount": (5, 9),
        }
        lo, hi = ranges[name]
        return str(int(rng.integers(lo, hi + 1)))

    def values(self, template: str, kind: int) -> dict[str, str]:
        """A value for every slot of ``template``."""
        names = {f for _, f, _, _ in string.Formatter().parse(template) if f}
        bank = BANKS[int(self.rng.integers(len(BANKS)))]
        return {n: self.value(n, kind, bank) for n in names}


def resolve_kinds(world: World, rng: np.random.Generator, a: np.ndarray) -> np.ndarray:
    """The kind of messages whose plant left it to the sender ``a``."""
    kind = np.full(a.size, KIND["chat"], dtype=np.int64)
    u = rng.random(a.size)

    def sent_by(part: str) -> np.ndarray:
        lo, hi = world.numbers.range(part)
        return (a >= lo) & (a < hi)

    bank = sent_by("bank")
    kind[bank] = np.where(u[bank] < 0.25, KIND["bank_link"], KIND["bank"])
    kind[sent_by("service")] = KIND["operator"]
    gateway = sent_by("sms_sender")
    own = np.minimum(a, world.n - 1)
    # A company line outside anyone's social circle sends notices to its customers.
    notifier = (a < world.n) & (world.holder_type[own] == ENTERPRISE) & ~world.social[own]
    machine = gateway | notifier
    mk = np.select(
        [u < 0.45, u < 0.75, u < 0.85, u < 0.92],
        [KIND["code"], KIND["delivery"], KIND["marketing"], KIND["bank"]],
        KIND["bank_link"],
    )
    kind[machine] = mk[machine]
    return kind


def hold_texts(day: Day, batch: Batch, rng: np.random.Generator) -> np.ndarray:
    """For each SMS of ``batch``: the index of its text in the world's pool when the operator
    holds its content, else -1. Labels own senders of held fraud texts ``fraud_sms``."""
    world = day.world
    pool = world.texts
    s = batch.sms.arrays()
    out = np.full(s["a"].size, -1, dtype=np.int64)
    if pool is None or out.size == 0:
        return out
    held = np.flatnonzero(rng.random(out.size) < held_share(s["kind"]))
    a, kind = s["a"][held], s["kind"][held].copy()
    auto = kind < 0
    kind[auto] = resolve_kinds(world, rng, a[auto])
    pick = rng.integers(0, 1 << 30, held.size)
    fraud = kind < N_FRAUD
    # A fraud sender works a few texts a day: a campaign's text goes to everybody.
    campaign = (a * 2_654_435_761 + day.index * 40_503) % (1 << 30) + pick % CAMPAIGN_TEXTS
    pick = np.where(fraud, campaign, pick)
    out[held] = pool.start[kind] + pick % pool.count[kind]
    mine = fraud & (a < world.n)
    if mine.any():
        types = np.array(FRAUD_TYPES, dtype=object)
        t = np.clip(s["t"][held][mine], day.t0, day.t0 + 86_399)  # as the row is written
        world.labels.add("msisdn", a[mine], "fraud_sms", t, types[kind[mine]])
    return out
