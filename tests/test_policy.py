from pathlib import Path

import pytest

from fraudwall.errors import PolicyError
from fraudwall.policy import DEFAULT_POLICY, load_policy, render_policy


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "policy.toml"
    p.write_text(text, "utf-8")
    return p


def test_defaults_cover_every_detector_and_round_trip(tmp_path):
    default = load_policy()
    again = load_policy(_write(tmp_path, render_policy(default)))
    assert again == default
    assert set(default.detectors) >= {"outbound_burst"}


def test_shipped_default_file_matches_the_code():
    # default.toml is generated from the detectors' Params (`fraudwall docs policy`).
    assert DEFAULT_POLICY.exists(), "run `fraudwall docs policy` to generate default.toml"
    assert load_policy(DEFAULT_POLICY) == load_policy()


def test_override_applies_and_keeps_other_defaults(tmp_path):
    p = load_policy(
        _write(tmp_path, 'version = "op-7"\n[detectors.outbound_burst]\nmin_calls_per_hour = 150\n')
    )
    default = load_policy().params("outbound_burst")
    assert p.version == "op-7"
    assert p.params("outbound_burst").min_calls_per_hour == 150
    assert p.params("outbound_burst").full_score_calls_per_hour == default.full_score_calls_per_hour


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('version = "x"\n[detectors.no_such]\nenabled = true\n', "unknown detectors"),
        ('version = "x"\n[detectors.outbound_burst]\nmin_calls = 3\n', "min_calls"),
        (
            'version = "x"\n[detectors.outbound_burst]\nmin_calls_per_hour = "many"\n',
            "min_calls_per_hour",
        ),
        ('version = "x"\n[detectors.outbound_burst]\nmin_calls_per_hour = 0\n', "greater than"),
        ('version = "x"\n[risk]\nhigh = 0.5\nmedium = 0.7\n', "must not exceed"),
        ('version = "x"\n[risk]\nhigh = 1.5\n', "risk.high"),
        ('version = "x"\nthresholds = 1\n', "unknown top-level"),
        ("[risk]\nhigh = 0.9\n", "version"),
        ("version = \n", "not valid TOML"),
    ],
)
def test_invalid_policies_are_rejected_with_the_key(tmp_path, text, message):
    with pytest.raises(PolicyError, match=message):
        load_policy(_write(tmp_path, text))


def test_missing_file_is_a_policy_error(tmp_path):
    with pytest.raises(PolicyError, match="no such policy file"):
        load_policy(tmp_path / "nope.toml")
