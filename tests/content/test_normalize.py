"""Normalisation undoes the evasions the obfuscator applies."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from fraudwall.content.normalize import fold_homophones, normalise
from fraudwall.content.obfuscate import Evasion, obfuscate


def test_full_width_traditional_and_inserted_symbols_normalise_to_the_plain_text():
    assert normalise("ｗｅｉ信") == normalise("wei信") == "wei信"
    assert normalise("貸款") == normalise("贷款") == "贷款"
    assert normalise("微 - 信*领·取|红\u200b包") == "微信领取红包"
    assert normalise("ＡＢＣ１２３") == "abc123"
    assert normalise("①②") == "12"


def test_homophone_folding_joins_characters_that_sound_alike_but_keeps_others_apart():
    assert fold_homophones("加薇信") == fold_homophones("加微信")
    assert fold_homophones("代款") == fold_homophones("贷款")
    assert fold_homophones("贷款") != fold_homophones("存款")


_cjk_or_ascii = st.text(
    alphabet=st.sampled_from(list("加微信领取红包贷款低息客服退款abcXYZ0123456789")),
    min_size=1,
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(_cjk_or_ascii, st.integers(0, 10_000))
def test_width_and_filler_evasions_never_change_the_normalised_text(text, seed):
    e = Evasion(full_width=0.7, traditional=0.0, filler=0.5, homophone=0.0)
    assert normalise(obfuscate(text, seed=seed, evasion=e)) == normalise(text)


@settings(max_examples=100, deadline=None)
@given(_cjk_or_ascii, st.integers(0, 10_000))
def test_homophone_evasion_never_changes_the_folded_text(text, seed):
    e = Evasion(full_width=0.0, traditional=0.0, filler=0.0, homophone=1.0)
    assert fold_homophones(obfuscate(text, seed=seed, evasion=e)) == fold_homophones(text)


def test_obfuscation_is_deterministic_per_seed_and_changes_the_text():
    t = "您的账户涉嫌洗钱，请加微信kf95588配合调查"
    assert obfuscate(t, seed=3) == obfuscate(t, seed=3)
    assert obfuscate(t, seed=3) != t
