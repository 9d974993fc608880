"""Extraction of links, domains, numbers and ids, obfuscated or not; non-links are ignored."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fraudwall.content.extract import extract, registrable, to_ascii


@pytest.mark.parametrize(
    "text",
    [
        "点击 http://icbc-kefu.top/login 办理",
        "点击 hxxp://icbc-kefu[.]top/login 办理",
        "点击 hxxps://icbc-kefu(.)top 办理",
        "点击 icbc-kefu。top 办理",
        "点击 icbc-kefu．top 办理",
        "点击 ｉｃｂｃ－ｋｅｆｕ．ｔｏｐ 办理",
        "点击 ICBC-KEFU . top 办理",
        "点击 www.icbc-kefu.top 办理",
    ],
)
def test_obfuscated_links_give_the_same_domain(text):
    assert extract(text).domains == ["icbc-kefu.top"]


def test_idn_and_punycode_come_out_as_the_same_ascii_name():
    assert extract("访问 http://例子.中国/a").domains == ["xn--fsqu00a.xn--fiqs8s"]
    assert extract("访问 xn--fsqu00a.xn--fiqs8s").domains == ["xn--fsqu00a.xn--fiqs8s"]


@pytest.mark.parametrize(
    "text",
    [
        "文件 report.txt 已发送",
        "版本 v1.2 已更新",
        "价格 3.14 元",
        "http://",
        "hxxp://[.]",
        "a..b",
        "",
    ],
)
def test_things_that_are_not_links_are_ignored(text):
    e = extract(text)
    assert e.domains == [] and e.urls == []


def test_phone_numbers_wechat_qq_and_apps():
    e = extract(
        "加威信: dk_8899a 或 vx：kefu2024，QQ：12345678，致电 138-0013-8000 或 +86 139 0013 9000，"
        "下载“安心贷”APP，打开腾讯会议软件"
    )
    assert e.wechat == ["dk_8899a", "kefu2024"]
    assert e.qq == ["12345678"]
    assert e.phones == ["13800138000", "13900139000"]
    assert e.apps == ["安心贷", "腾讯会议"]


def test_registrable_domain_uses_the_public_suffix_list_offline():
    assert registrable("a.b.example.com.cn") == "example.com.cn"
    assert registrable("localhost") is None
    assert to_ascii("-bad-.com") is None


@given(st.text(max_size=200))
def test_any_text_extracts_without_error_and_gives_ascii_names(text):
    e = extract(text)
    for d in e.domains + e.hosts:
        assert d.isascii() and d == d.lower() and to_ascii(d) == d
