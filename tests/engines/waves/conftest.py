"""The shared builders (tests/builders.py) as the `b` fixture of the wave planning tests."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests import builders


@pytest.fixture
def b() -> SimpleNamespace:
    """The builders, for the tests of this folder."""
    return SimpleNamespace(
        app=builders.app,
        precedes=builders.precedes,
        together=builders.together,
        config=builders.config,
        jackson=builders.jackson,
        waves_of=builders.waves_of,
        wave_plan=builders.wave_plan,
    )
