"""Lexical risk of domain names from the operator's brand list."""

from __future__ import annotations

from pathlib import Path

import pytest

from fraudwall.content.domain_signals import lexical_risk, load_brands
from fraudwall.errors import InputError


@pytest.fixture(scope="module")
def book():
    return load_brands()


@pytest.mark.parametrize(
    ("host", "signal"),
    [
        ("icbv.com", "lookalike"),
        ("alipey.com", "lookalike"),
        ("a1ipay.com", "homoglyph"),
        ("xn--cbc-7cd.com", "idn"),
        ("icbc-kefu.top", "brand_embedded"),
        ("95588-vip.cn", "brand_embedded"),
        ("gov-cn.top", "gov_imitation"),
        ("mps-fanzha.com", "gov_imitation"),
        ("qkzxvbnmt.com", "random_label"),
        ("a1b2c3d4e5.net", "random_label"),
        ("gold-vip.top", "risky_tld"),
    ],
)
def test_each_signal_fires_on_its_pattern(book, host, signal):
    r = lexical_risk(host, book)
    assert signal in r.signals, r
    assert 0 < r.score <= 1


@pytest.mark.parametrize(
    "host", ["www.icbc.com.cn", "weixin.qq.com", "example.com", "baidu.com", "news.sina.com.cn"]
)
def test_brands_own_and_ordinary_domains_score_zero(book, host):
    assert lexical_risk(host, book).score == 0.0


def test_several_signals_score_higher_than_one(book):
    assert lexical_risk("icbc-kefu.top", book).score > lexical_risk("icbc-kefu.com", book).score


def test_an_operator_list_adds_a_brand(tmp_path: Path, book):
    f = tmp_path / "brands.toml"
    f.write_text(
        "[weights]\nlookalike = 0.9\n[lists]\nrisky_tlds = []\n"
        '[[brand]]\nname = "重庆农商行"\ndomains = ["cqrcb.com"]\nlabels = ["cqrcb"]\n',
        "utf-8",
    )
    mine = load_brands(f)
    assert lexical_risk("cqrcb.com", mine).score == 0.0
    assert lexical_risk("cqrdb.com", mine).signals == ("lookalike",)
    assert lexical_risk("cqrdb.com", mine).score == pytest.approx(0.9)
    assert lexical_risk("cqrdb.com", book).score == 0.0


@pytest.mark.parametrize(
    ("text", "field"),
    [("[weights]\nnonsense = 0.5\n", "weights"), ("[weights]\nidn = 2\n", "idn"), ("x = [", None)],
)
def test_bad_brand_files_are_clear_errors(tmp_path: Path, text, field):
    f = tmp_path / "b.toml"
    f.write_text(text, "utf-8")
    with pytest.raises(InputError) as e:
        load_brands(f)
    assert str(f) in str(e.value)
    assert e.value.field == field
