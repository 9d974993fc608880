"""Lexical risk of a domain name: brand and government look-alikes, homoglyphs, added words,
machine-made labels, risky top-level domains.

The brands, their own domains, hotlines, the risky TLDs and each signal's weight come from an
operator-editable TOML file (``brands.toml`` in this package is the default). Signals combine
as ``1 - prod(1 - weight)``: each is a reason on its own, several together are stronger.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from fraudwall.content.extract import _tld, registrable
from fraudwall.errors import InputError

DEFAULT_BRANDS = Path(__file__).with_name("brands.toml")
SIGNALS = (
    "lookalike",
    "homoglyph",
    "brand_embedded",
    "gov_imitation",
    "idn",
    "random_label",
    "risky_tld",
)

# Characters that read as Latin letters (Cyrillic, Greek, digits); both sides are folded.
_CONFUSABLE = str.maketrans(
    {
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "і": "i",
        "ј": "j", "ԁ": "d", "ɡ": "g", "һ": "h", "ո": "n", "ѕ": "s", "к": "k", "м": "m",
        "т": "t", "в": "b", "ν": "v", "ο": "o", "α": "a", "ι": "i", "κ": "k", "ρ": "p",
        "τ": "t", "г": "r", "0": "o", "1": "i", "l": "i", "3": "e", "5": "s", "7": "t", "|": "i",
    }
)  # fmt: skip
_VOWELS = set("aeiou")


@dataclass(frozen=True)
class Brand:
    name: str
    domains: tuple[str, ...]
    labels: tuple[str, ...]
    numbers: tuple[str, ...]
    government: bool = False


@dataclass(frozen=True)
class BrandBook:
    """The operator's list of brands and the signal settings."""

    brands: tuple[Brand, ...]
    weights: dict[str, float]
    risky_tlds: frozenset[str]
    added_words: tuple[str, ...]
    own: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class LexicalRisk:
    """The lexical score of one host and why."""

    score: float
    signals: tuple[str, ...]
    reasons: tuple[str, ...]


def load_brands(path: Path | None = None) -> BrandBook:
    """Read a brands TOML file (the packaged default without one)."""
    return _load(str(path or DEFAULT_BRANDS))


@cache
def _load(path: str) -> BrandBook:
    try:
        data = tomllib.loads(Path(path).read_text("utf-8"))
    except FileNotFoundError:
        raise InputError("no such brands file", file=path) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise InputError(f"not a valid TOML brands file: {e}", file=path) from None
    weights = data.get("weights", {})
    unknown = set(weights) - set(SIGNALS)
    if unknown:
        raise InputError(f"unknown signal(s) {sorted(unknown)}", file=path, field="weights")
    for k, v in weights.items():
        if not isinstance(v, int | float) or not 0 <= v <= 1:
            raise InputError(f"weight {k} must be in [0, 1], got {v!r}", file=path, field=k)
    brands = []
    for i, b in enumerate(data.get("brand", [])):
        if not isinstance(b, dict) or "name" not in b:
            raise InputError("a [[brand]] needs a name", file=path, row=i + 1, field="name")
        brands.append(
            Brand(
                name=str(b["name"]),
                domains=tuple(str(d).lower() for d in b.get("domains", [])),
                labels=tuple(str(d).lower() for d in b.get("labels", [])),
                numbers=tuple(str(d) for d in b.get("numbers", [])),
                government=bool(b.get("government", False)),
            )
        )
    lists = data.get("lists", {})
    return BrandBook(
        brands=tuple(brands),
        weights={s: float(weights.get(s, 0.0)) for s in SIGNALS},
        risky_tlds=frozenset(str(t).lower() for t in lists.get("risky_tlds", [])),
        added_words=tuple(str(t).lower() for t in lists.get("added_words", [])),
        own=frozenset(d for b in brands for d in b.domains),
    )


def skeleton(label: str) -> str:
    """A label with look-alike characters folded to one Latin form.

    >>> skeleton("1cbc") == skeleton("icbc") == skeleton("іcbc") == skeleton("lcbc")
    True
    """
    s = unicodedata.normalize("NFKD", label.lower())
    s = "".join(c for c in s if not unicodedata.combining(c))
    return s.translate(_CONFUSABLE).replace("rn", "m").replace("vv", "w")


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Levenshtein distance, capped at ``limit`` (enough to tell 'close' from 'far').

    >>> edit_distance("icbc", "icbv"), edit_distance("alipay", "a1ipay"), edit_distance("a", "xyz")
    (1, 1, 3)
    """
    if abs(len(a) - len(b)) >= limit:
        return limit
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) >= limit:
            return limit
        prev = cur
    return min(prev[-1], limit)


def _random_looking(label: str) -> bool:
    letters = re.sub(r"[^a-z]", "", label)
    if len(label) < 8:
        return False
    runs = max((len(r) for r in re.findall(r"[^aeiou0-9-]+", label)), default=0)
    switches = len(re.findall(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])", label))
    vowel_share = sum(c in _VOWELS for c in letters) / max(len(letters), 1)
    return runs >= 5 or switches >= 3 or (len(letters) >= 8 and vowel_share < 0.15)


def lexical_risk(host: str, book: BrandBook) -> LexicalRisk:
    """Score one ASCII host name.

    >>> book = load_brands()
    >>> r = lexical_risk("icbc-kefu.top", book)
    >>> r.signals, round(r.score, 2)
    (('brand_embedded', 'risky_tld'), 0.72)
    >>> lexical_risk("www.icbc.com.cn", book).score, lexical_risk("example.com", book).score
    (0.0, 0.0)
    """
    host = host.lower().strip(".")
    reg = registrable(host)
    if reg is None:
        return LexicalRisk(0.0, (), ("not a registrable domain",))
    if reg in book.own or host in book.own:
        return LexicalRisk(0.0, (), ("a listed brand's own domain",))
    r = _tld()(host)
    labels = [lab for lab in (*r.subdomain.split("."), r.domain) if lab]
    unicode_labels = [_decode(lab) for lab in labels]
    tokens = [t for lab in unicode_labels for t in re.split(r"[-_]", lab) if t]
    hits: dict[str, str] = {}
    for b in book.brands:
        for name in b.labels:
            for tok in (*tokens, *unicode_labels):
                if tok == name or (len(name) >= 4 and _embedded(name, tok, book.added_words)):
                    hits.setdefault("brand_embedded", f"contains {b.name}'s {name!r}")
                elif len(name) >= 4 and skeleton(tok) == skeleton(name):
                    hits.setdefault("homoglyph", f"{tok!r} looks like {b.name}'s {name!r}")
                elif len(name) >= 4 and tok.isascii():
                    d = edit_distance(tok, name)
                    if 0 < d <= (1 if len(name) <= 5 else 2):
                        hits.setdefault("lookalike", f"{tok!r} is {d} edit(s) from {name!r}")
        for num in b.numbers:
            if len(num) >= 5 and any(num in lab for lab in labels):
                hits.setdefault("brand_embedded", f"contains {b.name}'s hotline {num}")
        if b.government and "brand_embedded" in hits and b.name in hits["brand_embedded"]:
            hits.setdefault("gov_imitation", f"imitates {b.name}")
    if not r.suffix.endswith("gov.cn") and any(t == "gov" or t.startswith("gov") for t in tokens):
        hits.setdefault("gov_imitation", "uses 'gov' outside gov.cn")
    if any(lab.startswith("xn--") for lab in host.split(".")):
        hits["idn"] = f"internationalised name ({_decode_host(host)})"
    if not r.domain.startswith("xn--") and _random_looking(r.domain):
        hits["random_label"] = f"{r.domain!r} looks machine-generated"
    tld = r.suffix.rsplit(".", 1)[-1]
    if tld in book.risky_tlds:
        hits["risky_tld"] = f".{tld} is a risky top-level domain"
    signals = tuple(s for s in SIGNALS if s in hits)
    keep = 1.0
    for s in signals:
        keep *= 1.0 - book.weights.get(s, 0.0)
    return LexicalRisk(round(1.0 - keep, 4), signals, tuple(hits[s] for s in signals))


def _embedded(name: str, token: str, words: tuple[str, ...]) -> bool:
    """``name`` inside ``token`` with only added words or digits around it (``icbckefu``,
    ``95588icbc``), not as part of another word (``smartmall`` does not contain ``tmall``)."""
    at = token.find(name)
    if at < 0:
        return False
    rest = token[:at] + "|" + token[at + len(name) :]
    for part in rest.split("|"):
        while part:
            stripped = part.lstrip("0123456789")
            for w in words:
                if stripped.startswith(w):
                    stripped = stripped[len(w) :]
                    break
            if stripped == part:
                return False
            part = stripped
    return True


def _decode(label: str) -> str:
    if label.startswith("xn--"):
        try:
            return label.encode("ascii").decode("idna")
        except UnicodeError:
            return label
    return label


def _decode_host(host: str) -> str:
    return ".".join(_decode(lab) for lab in host.split("."))
