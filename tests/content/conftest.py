from pathlib import Path

import pytest
from corpus import corpus, write_csv

from fraudwall.content.sms_service import train_sms


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A classifier trained once on the tiny corpus."""
    d = tmp_path_factory.mktemp("sms")
    texts = write_csv(d / "train.csv", corpus())
    train_sms(texts=texts, out=d / "model")
    return d / "model"
