"""Shared fixtures: the offline engine over the shipped stacks, run once per session."""

from __future__ import annotations

from typing import Any

import pytest
from support import SHIPPED_STACKS, offline_run


@pytest.fixture(scope="session", params=SHIPPED_STACKS)
def shipped(request: pytest.FixtureRequest) -> Any:
    return offline_run(request.param)
