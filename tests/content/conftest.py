from pathlib import Path

import pytest
from corpus import corpus, write_csv
from sms_tables import write_sms_policy

from fraudwall.content.sms_service import train_sms
from fraudwall.policy import Policy


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A classifier trained once on the tiny corpus."""
    d = tmp_path_factory.mktemp("sms")
    texts = write_csv(d / "train.csv", corpus())
    train_sms(texts=texts, out=d / "model")
    return d / "model"


@pytest.fixture
def sms_policy(tmp_path: Path, model_dir: Path) -> Policy:
    """A policy enabling fraud_sms with the tiny corpus's model."""
    return write_sms_policy(tmp_path / "policy.toml", model_dir)
