"""``FRAUDWALL_FREEZE_HEAP``: a served app exempts start-up's objects from full collections."""

from __future__ import annotations

import gc

import httpx
import pytest

from fraudwall.api import create_app
from fraudwall.api.settings import Settings
from fraudwall.errors import InputError

from .conftest import running


@pytest.fixture
def unfrozen():  # type: ignore[no-untyped-def]
    gc.unfreeze()
    yield
    gc.unfreeze()  # the rest of the test session is collected as usual


def test_start_up_freezes_the_heap_only_when_asked(db, unfrozen) -> None:
    with running(create_app(Settings(database_url=db.url))) as url:
        assert httpx.get(f"{url}/health").status_code == 200
        assert gc.get_freeze_count() == 0
    with running(create_app(Settings(database_url=db.url, freeze_heap=True))) as url:
        assert httpx.get(f"{url}/health").status_code == 200
        assert gc.get_freeze_count() > 10_000  # the imports, the app, the database engine


def test_the_setting_comes_from_the_environment() -> None:
    assert Settings.from_env({"FRAUDWALL_FREEZE_HEAP": "1"}).freeze_heap is True
    assert Settings.from_env({}).freeze_heap is False
    with pytest.raises(InputError) as err:
        Settings.from_env({"FRAUDWALL_FREEZE_HEAP": "maybe"})
    assert err.value.field == "FRAUDWALL_FREEZE_HEAP"
