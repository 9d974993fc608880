"""The evasions fraud senders use against keyword filters, to test the classifier against.

:func:`obfuscate` rewrites a message the way spam gangs do: ASCII letters and digits turned
full-width, simplified characters turned traditional, spaces and symbols pushed between
characters, and characters swapped for others that sound the same. It is deterministic for a
given seed, so an evaluation on an obfuscated copy can be repeated exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from fraudwall.content.normalize import _gb2312_rank, homophone_table

FILLERS = (" ", "*", "-", "·", "/", "~", "|", "♥", "。", "\u200b")


@dataclass(frozen=True)
class Evasion:
    """How hard to obfuscate: the chance each applies per character (or per message)."""

    full_width: float = 0.5
    traditional: float = 1.0  # per message
    filler: float = 0.25
    homophone: float = 0.15


@cache
def _homophones() -> dict[str, list[str]]:
    """Each common (GB2312) character -> the other common characters that sound the same."""
    table = homophone_table()
    groups: dict[int, list[int]] = {}
    for cp in range(0x4E00, 0xA000):
        if _gb2312_rank(cp) < (1 << 20):
            groups.setdefault(int(table[cp]), []).append(cp)
    out: dict[str, list[str]] = {}
    for cps in groups.values():
        for cp in cps:
            others = [chr(c) for c in cps if c != cp]
            if others:
                out[chr(cp)] = others
    return out


@cache
def _s2t() -> Any:
    import opencc

    return opencc.OpenCC("s2t")


def obfuscate(text: str, *, seed: int = 0, evasion: Evasion = Evasion()) -> str:
    """One message rewritten with the evasions (deterministic per ``seed`` and text).

    >>> from fraudwall.content.normalize import normalise
    >>> o = obfuscate("加微信领取888元红包", seed=1)
    >>> o != "加微信领取888元红包"
    True
    """
    rng = np.random.default_rng([seed, *text.encode("utf-8")[:64]])
    if rng.random() < evasion.traditional:
        text = _s2t().convert(text)
    homo = _homophones() if evasion.homophone > 0 else {}
    out: list[str] = []
    for ch in text:
        if ch in homo and rng.random() < evasion.homophone:
            alts = homo[ch]
            ch = alts[int(rng.integers(len(alts)))]
        elif "!" <= ch <= "~" and rng.random() < evasion.full_width:
            ch = chr(ord(ch) + 0xFEE0)
        out.append(ch)
        if rng.random() < evasion.filler:
            out.append(FILLERS[int(rng.integers(len(FILLERS)))])
    return "".join(out)


def obfuscate_all(texts: list[str], *, seed: int = 0, evasion: Evasion = Evasion()) -> list[str]:
    """:func:`obfuscate` over a list."""
    return [obfuscate(t, seed=seed, evasion=evasion) for t in texts]
