"""Pull links, domains, phone numbers, WeChat / QQ ids and app names out of SMS text.

Fraud SMS hide their links from filters: ``hxxp://``, ``[.]`` or ``(.)``, ``。``, ``．`` or
``｡`` for dots, spaces around the dots, full-width letters, punycode. The text is re-fanged
first (NFKC, lower case, traditional to simplified, those dot forms back to ``.``), then
candidates are checked against the public suffix list (tldextract's bundled snapshot; never
fetched), so ``file.txt`` or ``v1.2`` are not domains. Names are returned as ASCII (punycode).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import phonenumbers

_DOTS = re.compile(r"\s*(?:\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|[。．｡])\s*")
_SPACED_DOT = re.compile(r"(?<=[a-z0-9])\s+\.\s*(?=[a-z0-9])|(?<=[a-z0-9])\.\s+(?=[a-z]{2,}\b)")
_SCHEME = re.compile(r"\b(?:hxxps?|hxps?|h\*\*ps?|ht+ps?)(?=\s*:\s*/)")
_SCHEME_GAP = re.compile(r"(https?)\s*:\s*/\s*/\s*")
_LABEL = r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?|xn--[a-z0-9-]{1,59})"
_HOST = re.compile(
    rf"(?:(?P<scheme>https?)://)?(?P<host>(?:{_LABEL}\.)+(?:xn--[a-z0-9-]+|[a-z]{{2,24}}))"
    r"(?::\d{1,5})?(?P<path>/[^\s\u3000-\u303f\uff00-\uffef\u4e00-\u9fff\"'<>]*)?"
)
# A scheme-prefixed link may carry a Unicode host (IDN) such as 例子.中国.
_IDN = re.compile(r"https?://(?P<host>[^\s/:?#\"'<>，。！]+)")
_WECHAT = re.compile(
    r"(?:微信|威信|薇信|徽信|危信|vx|v信|wx|weixin|wechat|加v|\+v)\s*(?:号|id)?\s*[:：]?\s*"
    r"(?P<id>[a-z][-_a-z0-9]{5,19}|1[3-9]\d{9})"
)
_QQ = re.compile(r"(?:qq|扣扣|企鹅|q群|球球)\s*(?:号|群)?\s*[:：]?\s*(?P<id>[1-9]\d{4,11})")
_APP = re.compile(
    r"(?:下载|安装|打开|搜索|注册|登录|登陆)\s*[「“\"《【]?(?P<name>[\u4e00-\u9fffa-z0-9]{2,12}?)"
    r"[」”\"》】]?\s*(?:app|软件|客户端|应用)"
)
_BRACKETED_APP = re.compile(r"《(?P<name>[\u4e00-\u9fffa-z0-9]{2,12})》\s*(?:app|软件|客户端)")
_DIGIT_GAP = re.compile(r"(?<=\d)[\s\-.·]+(?=\d)")


@dataclass
class Extracted:
    """What one message contains; every list is de-duplicated in order of appearance."""

    urls: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)  # registrable domains, punycode
    phones: list[str] = field(default_factory=list)
    wechat: list[str] = field(default_factory=list)
    qq: list[str] = field(default_factory=list)
    apps: list[str] = field(default_factory=list)


@cache
def _tld() -> Any:
    import tldextract

    # The bundled snapshot only: no suffix-list download, no cache directory written.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@cache
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def refang(text: str) -> str:
    """Undo the usual link obfuscations (lower case; the text otherwise kept).

    >>> refang("点击 ｈｘｘｐ://ＩＣＢＣ-kefu[.]top 。")
    '点击 http://icbc-kefu.top 。'
    """
    s = _t2s().convert(unicodedata.normalize("NFKC", text)).lower()
    s = _SCHEME.sub(lambda m: "https" if m.group(0).endswith("s") else "http", s)
    s = _SCHEME_GAP.sub(r"\1://", s)
    s = _DOTS.sub(lambda m: "." if _between_labels(s, m) else m.group(0), s)
    return _SPACED_DOT.sub(".", s)


def _between_labels(s: str, m: re.Match[str]) -> bool:
    before = s[m.start() - 1] if m.start() > 0 else ""
    after = s[m.end()] if m.end() < len(s) else ""
    return bool(before) and bool(after) and _labelish(before) and _labelish(after)


def _labelish(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == "-")


def to_ascii(host: str) -> str | None:
    """A host name as ASCII (IDNA punycode), or ``None`` when it is not a valid name.

    >>> to_ascii("例子.中国"), to_ascii("icbc.com"), to_ascii("a..b")
    ('xn--fsqu00a.xn--fiqs8s', 'icbc.com', None)
    """
    host = host.strip(".").lower()
    if not host or len(host) > 253:
        return None
    try:
        out = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    labels = out.split(".")
    if len(labels) < 2 or any(not lab or len(lab) > 63 for lab in labels):
        return None
    if not all(re.fullmatch(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?", lab) for lab in labels):
        return None
    return out


def registrable(host: str) -> str | None:
    """The registrable domain of an ASCII host by the public suffix list, or ``None``.

    >>> registrable("www.icbc-kefu.top"), registrable("file.txt"), registrable("a.b.gov.cn")
    ('icbc-kefu.top', None, 'b.gov.cn')
    """
    r = _tld()(host)
    if not r.suffix or not r.domain:
        return None
    return f"{r.domain}.{r.suffix}"


def extract(text: str) -> Extracted:
    """Everything of interest in one message.

    >>> e = extract("【工行】您的账户异常，请登录 hxxps://icbc-kefu[.]top/a 或加微信: kf95588a，"
    ...             "致电 138 0013 8000，下载《安心贷》APP")
    >>> e.domains, e.phones, e.wechat, e.apps
    (['icbc-kefu.top'], ['13800138000'], ['kf95588a'], ['安心贷'])
    """
    out = Extracted()
    if not text:
        return out
    s = refang(text)
    for m in [*_HOST.finditer(s), *_IDN.finditer(s)]:
        host = to_ascii(m.group("host"))
        if host is None or (dom := registrable(host)) is None:
            continue
        _add(out.hosts, host)
        _add(out.domains, dom)
        if m.re is _HOST and (m.group("scheme") or m.group("path")):
            _add(out.urls, f"{m.group('scheme') or 'http'}://{host}{m.group('path') or ''}")
        elif m.re is _IDN:
            _add(out.urls, f"{m.group(0).split('://')[0]}://{host}")
    digits = _DIGIT_GAP.sub("", s)
    for pm in phonenumbers.PhoneNumberMatcher(digits, "CN"):
        if phonenumbers.is_valid_number(pm.number):
            _add(out.phones, str(pm.number.national_number))
    for m in _WECHAT.finditer(s):
        _add(out.wechat, m.group("id"))
    for m in _QQ.finditer(digits):
        _add(out.qq, m.group("id"))
    for m in [*_APP.finditer(s), *_BRACKETED_APP.finditer(s)]:
        _add(out.apps, m.group("name"))
    return out


def _add(items: list[str], value: str) -> None:
    if value not in items:
        items.append(value)
