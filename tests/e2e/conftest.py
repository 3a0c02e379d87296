"""One running system for all end-to-end tests of a run (starting Rasa takes a while)."""
from __future__ import annotations

from typing import Iterator

import pytest

from tests.helpers.system import RunningSystem, start_system


@pytest.fixture(scope="session")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    running = start_system(tmp_path_factory.mktemp("system"))
    yield running
    running.stop()
