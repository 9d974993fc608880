"""The examples in the ingestion modules' docstrings run and hold."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["normalize", "parse", "readers", "validate"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(f"fraudwall.ingest.{name}")
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0
