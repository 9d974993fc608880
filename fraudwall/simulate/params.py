"""The simulated operator's constants: number plans, rhythms, service numbers, scale of scenarios.

Rates are per subscriber per day unless named otherwise. Scenario counts scale with the
population (``per_10k``) but never fall below a floor, so a 5,000-subscriber world still holds
enough instances of every scenario to measure a detector on.
"""

from __future__ import annotations

import numpy as np

#: The simulated operator (China Mobile-like): its name, its IMSI prefixes and number prefixes.
OWN_OPERATOR = "CMCC"
OWN_IMSI_PREFIXES = (46000, 46002)
OWN_PREFIXES = (
    134,
    135,
    136,
    137,
    138,
    139,
    147,
    150,
    151,
    152,
    157,
    158,
    159,
    178,
    182,
    183,
    184,
    187,
    188,
    198,
)
#: Other operators' prefixes: off-net numbers and cross-operator ID records.
OTHER_OPERATORS = {
    "CUCC": (130, 131, 132, 145, 155, 156, 166, 175, 176, 185, 186),
    "CTCC": (133, 149, 153, 173, 177, 180, 181, 189, 191, 199),
}
OFFNET_PREFIXES = tuple(p for ps in OTHER_OPERATORS.values() for p in ps)

#: Foreign mobile numbers: country code and the national mobile prefix digit(s).
FOREIGN_PREFIXES = ("+447", "+639")
#: Bank customer-service numbers; victims call these after being defrauded.
BANK_NUMBERS = ("95588", "95533", "95555", "95599", "95566", "95559", "95568", "95561")
#: Operator and other service numbers that appear in ordinary traffic.
SERVICE_NUMBERS = ("10086", "10010", "10000", "12306", "12315", "95598", "95511", "95518")
#: Senders of machine SMS (verification codes, bills, deliveries): 106 + 5..9 digits.
N_SMS_SENDERS = 60

#: Region codes in ``calls.roaming_region``: ISO 3166-2 province codes for domestic roaming,
#: ISO 3166 alpha-2 country codes for international roaming.
HIGH_RISK_REGIONS = ("MM", "KH", "LA", "PH")
TRAVEL_REGIONS = ("JP", "TH", "SG", "KR", "US", "GB", "MY", "AE", "HK", "MO", "FR", "AU")

# Hour-of-day weights of ordinary voice traffic: quiet at night, peaks late morning and evening.
HOURS_WEEKDAY = np.array(
    [
        0.6,
        0.3,
        0.2,
        0.15,
        0.15,
        0.3,
        1.0,
        2.5,
        4.5,
        6.0,
        7.0,
        7.2,
        5.5,
        5.0,
        5.8,
        6.0,
        6.2,
        6.5,
        6.0,
        6.5,
        7.0,
        6.0,
        3.5,
        1.8,
    ]
)
HOURS_WEEKEND = np.array(
    [
        0.9,
        0.5,
        0.3,
        0.2,
        0.15,
        0.2,
        0.5,
        1.2,
        2.5,
        4.0,
        5.5,
        6.5,
        6.0,
        5.5,
        5.8,
        6.0,
        6.0,
        6.0,
        6.0,
        6.8,
        7.2,
        6.5,
        4.0,
        2.2,
    ]
)
#: Office hours (call centres, fake police and fake customer service keep them).
HOURS_OFFICE = np.array(
    [0, 0, 0, 0, 0, 0, 0, 0, 0.5, 6, 7, 7, 3, 4, 7, 7, 7, 6, 1, 0, 0, 0, 0, 0], dtype=float
)
#: Evening-heavy activity (click-farming recruiters target people off work).
HOURS_EVENING = np.array(
    [0.5, 0.2, 0, 0, 0, 0, 0, 0.2, 0.5, 1, 2, 2, 3, 3, 2, 2, 2, 3, 4, 6, 7, 7, 5, 2], dtype=float
)
#: Daytime and evening (fake investment advisers, fake loan offers).
HOURS_DAY = np.array(
    [0, 0, 0, 0, 0, 0, 0, 0.5, 2, 5, 6, 6, 4, 4, 6, 6, 6, 5, 4, 4, 4, 3, 1, 0], dtype=float
)
#: Waking hours including late night (harassers do not keep office hours).
HOURS_ANY = np.array(
    [2, 1.5, 1, 0.5, 0.5, 0.5, 1, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3], dtype=float
)

#: Background call durations: lognormal around one minute; the unanswered share is drawn per
#: subscriber so the population average lands near 20%.
CALL_MEDIAN_S = 60.0
CALL_SIGMA = 1.1
UNANSWERED_MEAN = 0.2
#: Share of a person's contacts on the own network, and where they live.
ONNET_SHARE = 0.75
SAME_CITY_SHARE = 0.85

#: Popular apps and hosts of data sessions, roughly in order of use.
POPULAR_DOMAINS = (
    "weixin.qq.com",
    "douyin.com",
    "taobao.com",
    "baidu.com",
    "qq.com",
    "alipay.com",
    "jd.com",
    "kuaishou.com",
    "pinduoduo.com",
    "weibo.com",
    "bilibili.com",
    "meituan.com",
    "amap.com",
    "xiaohongshu.com",
    "toutiao.com",
    "163.com",
    "iqiyi.com",
    "zhihu.com",
    "ctrip.com",
    "sina.com.cn",
    "youku.com",
    "dianping.com",
    "ele.me",
    "kugou.com",
    "tencent.com",
    "12306.cn",
    "apple.com",
    "huawei.com",
    "mi.com",
    "cmpassport.com",
    "10086.cn",
    "icbc.com.cn",
    "ccb.com",
    "cmbchina.com",
    "boc.cn",
    "didiglobal.com",
    "ximalaya.com",
    "qunar.com",
    "sohu.com",
    "ifeng.com",
)
#: Parts of generated long-tail and fraud host names; they share vocabulary on purpose, so a
#: host name alone does not give a fraud domain away.
DOMAIN_WORDS = (
    "shop",
    "mall",
    "vip",
    "app",
    "club",
    "fin",
    "gold",
    "star",
    "fast",
    "net",
    "cloud",
    "union",
    "trade",
    "home",
    "game",
    "news",
    "live",
    "pay",
    "loan",
    "best",
    "hui",
    "jia",
    "tong",
    "xin",
    "da",
    "bao",
    "kuai",
    "le",
    "ming",
    "yun",
)
DOMAIN_TLDS = ("com", "cn", "net", "com.cn", "top", "xyz", "cc", "vip", "shop", "info")


def scaled(n_subscribers: int, per_10k: float, minimum: int) -> int:
    """How many instances of a scenario a world of ``n_subscribers`` holds.

    >>> scaled(5_000, 4, 15), scaled(1_000_000, 4, 15)
    (15, 400)
    """
    return max(minimum, round(per_10k * n_subscribers / 10_000))


def profile_cdf(weights: np.ndarray) -> np.ndarray:
    """Cumulative distribution of an hour-of-day profile, for :func:`rhythm.sample_seconds`."""
    w = np.asarray(weights, dtype=float)
    return np.cumsum(w) / w.sum()
