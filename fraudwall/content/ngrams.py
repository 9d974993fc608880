"""Character n-gram TF-IDF features computed for a whole batch at once with NumPy.

scikit-learn's ``TfidfVectorizer(analyzer="char")`` builds each message's n-grams in Python
(about 4,500 messages/s for 1- to 3-grams on one core); this vectoriser hashes every n-gram of a
batch in a few array operations. Each n-gram gets a 64-bit hash; the vocabulary (n-grams seen in
at least ``min_df`` training messages) is a sorted array of those hashes reached through a
dense table on the low bits, and every hit is verified against the full hash, so an n-gram
never seen in training never borrows another one's weight. Two channels: the normalised text
and its homophone-folded form (:mod:`fraudwall.content.normalize`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from fraudwall.content.normalize import codepoints, homophone_table

_MUL = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)
CHANNELS = ("plain", "homophone")


@dataclass
class Grams:
    """Every n-gram occurrence of a batch: message row, 64-bit hash, start offset, length."""

    row: np.ndarray
    key: np.ndarray
    start: np.ndarray
    n: np.ndarray
    channel: np.ndarray  # index into the vectoriser's channels
    cps: np.ndarray  # the plain normalised codepoints the offsets point into
    rows: int


def grams(texts: list[str], orders: tuple[int, ...], channels: tuple[str, ...] = CHANNELS) -> Grams:
    """Hash every n-gram of the given orders in every channel of a batch."""
    cps, row = codepoints(texts)
    rows_out, keys, starts, ns, chans = [], [], [], [], []
    for ci, channel in enumerate(channels):
        c = homophone_table()[cps] if channel == "homophone" else cps
        c64 = c.astype(np.uint64)
        # One running polynomial hash per channel, seeded by the channel: the n-gram hash is
        # the (n-1)-gram hash times a prime plus the next codepoint, so each order costs one
        # pass. Hashes of different orders or channels coincide only by 64-bit chance.
        h = np.full(c.size, ci + 1, dtype=np.uint64)
        for n in range(1, max(orders, default=0) + 1):
            m = c.size - n + 1
            if m <= 0:
                break
            h = h[:m] * _MUL + c64[n - 1 : n - 1 + m]
            if n not in orders:
                continue
            idx = np.flatnonzero(row[:m] == row[n - 1 : n - 1 + m])
            k = h[idx]
            rows_out.append(row[idx])
            keys.append((k ^ (k >> np.uint64(29))) * _MIX)
            starts.append(idx)
            ns.append(np.full(idx.size, n, dtype=np.int8))
            chans.append(np.full(idx.size, ci, dtype=np.int8))
    empty = np.empty(0, np.int64)
    return Grams(
        row=np.concatenate(rows_out) if rows_out else empty,
        key=np.concatenate(keys) if keys else empty.astype(np.uint64),
        start=np.concatenate(starts) if starts else empty,
        n=np.concatenate(ns) if ns else empty.astype(np.int8),
        channel=np.concatenate(chans) if chans else empty.astype(np.int8),
        cps=cps,
        rows=len(texts),
    )


class Vectoriser:
    """Sublinear TF-IDF over hashed character n-grams, L2-normalised rows."""

    def __init__(
        self,
        orders: tuple[int, ...] = (1, 2, 3),
        channels: tuple[str, ...] = CHANNELS,
        min_df: int = 2,
        bits: int = 22,
    ) -> None:
        self.orders, self.channels, self.min_df, self.bits = orders, channels, min_df, bits
        self.vocab = np.empty(0, np.uint64)  # sorted full hashes
        self.idf = np.empty(0, np.float32)
        self.text: list[str] = []  # each vocabulary entry as a person would read it
        self._slot: np.ndarray | None = None

    # -- fitting ----------------------------------------------------------------------------
    def fit(self, texts: list[str]) -> Vectoriser:
        g = grams(texts, self.orders, self.channels)
        pair = np.unique(np.stack([g.key, g.row.astype(np.uint64)], axis=1), axis=0)
        keys, df = np.unique(pair[:, 0], return_counts=True)
        keep = df >= self.min_df
        # Two vocabulary entries sharing a table slot: the more frequent keeps it.
        keys, df = keys[keep], df[keep]
        slot = (keys & np.uint64((1 << self.bits) - 1)).astype(np.int64)
        order = np.lexsort((-df, slot))
        first = np.ones(order.size, bool)
        first[1:] = slot[order][1:] != slot[order][:-1]
        chosen = np.sort(order[first])
        self.vocab, df = keys[chosen], df[chosen]
        self.idf = (np.log((1 + g.rows) / (1 + df)) + 1).astype(np.float32)
        self.text = self._texts(g)
        self._slot = None
        return self

    def _texts(self, g: Grams) -> list[str]:
        """The readable n-gram of each vocabulary entry (its first occurrence in the plain
        text; a homophone entry shows the plain spelling met first, prefixed with ``≈``)."""
        idx = self._lookup(g.key)
        hit = idx >= 0
        vi, start, n, ch = idx[hit], g.start[hit], g.n[hit], g.channel[hit]
        order = np.argsort(vi, kind="stable")
        vi, start, n, ch = vi[order], start[order], n[order], ch[order]
        firsts = np.flatnonzero(np.r_[True, vi[1:] != vi[:-1]])
        cps = g.cps.astype("<u4")
        out = [""] * self.vocab.size
        for f in firsts.tolist():
            s = cps[start[f] : start[f] + n[f]].tobytes().decode("utf-32-le")
            out[vi[f]] = ("≈" + s) if self.channels[ch[f]] == "homophone" else s
        return out

    # -- transforming -----------------------------------------------------------------------
    def _lookup(self, keys: np.ndarray) -> np.ndarray:
        """Vocabulary index of each hash, -1 when not in the vocabulary."""
        if self._slot is None:
            slot = np.full(1 << self.bits, -1, dtype=np.int32)
            slot[(self.vocab & np.uint64((1 << self.bits) - 1)).astype(np.int64)] = np.arange(
                self.vocab.size, dtype=np.int32
            )
            self._slot = slot
        if self.vocab.size == 0:
            return np.full(keys.size, -1, np.int64)
        cand = self._slot[(keys & np.uint64((1 << self.bits) - 1)).astype(np.int64)].astype(
            np.int64
        )
        ok = cand >= 0
        ok[ok] = self.vocab[cand[ok]] == keys[ok]
        return np.where(ok, cand, -1)

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        """TF-IDF matrix (messages x vocabulary), float32."""
        g = grams(texts, self.orders, self.channels)
        col = self._lookup(g.key)
        hit = col >= 0
        x = sp.csr_matrix(
            (np.ones(int(hit.sum()), np.float32), (g.row[hit], col[hit])),
            shape=(len(texts), self.vocab.size),
        )
        x.sum_duplicates()
        np.log(x.data, out=x.data)
        x.data += 1
        x.data *= self.idf[x.indices]
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        norms[norms == 0] = 1
        x.data /= np.repeat(norms, np.diff(x.indptr)).astype(np.float32)
        return x

    # -- persistence ------------------------------------------------------------------------
    def state(self) -> dict[str, np.ndarray]:
        return {"vocab": self.vocab, "idf": self.idf, "text": np.array(self.text, dtype=object)}

    def config(self) -> dict[str, object]:
        return {
            "orders": list(self.orders),
            "channels": list(self.channels),
            "min_df": self.min_df,
            "bits": self.bits,
        }

    @classmethod
    def restore(cls, config: dict[str, object], state: dict[str, np.ndarray]) -> Vectoriser:
        v = cls(
            orders=tuple(config["orders"]),  # type: ignore[arg-type]
            channels=tuple(config["channels"]),  # type: ignore[arg-type]
            min_df=int(config["min_df"]),  # type: ignore[call-overload]
            bits=int(config["bits"]),  # type: ignore[call-overload]
        )
        v.vocab = state["vocab"].astype(np.uint64)
        v.idf = state["idf"].astype(np.float32)
        v.text = [str(t) for t in state["text"]]
        return v
