"""Pinned and locked placements of a wave plan, and the fingerprint a search result was proved under."""

from __future__ import annotations

import hashlib

from planning_core.domain import Portfolio
from planning_core.engines.waves.models import WavePlan


def pin_fingerprint(fixed: dict[str, int]) -> str:
    """A short digest of the pinned/locked placements a search result was proved under."""
    text = ";".join(f"{k}={v}" for k, v in sorted(fixed.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def plan_pins(plan: WavePlan, portfolio: Portfolio) -> dict[str, int]:
    """Application id -> wave for pinned applications and applications in locked waves."""
    pins = {
        a.application_id: a.pinned_wave
        for a in portfolio.applications
        if a.pinned_wave is not None and a.migrated
    }
    for w in plan.waves:
        for a in w.applications:
            if a.pinned or w.locked:
                pins[a.application_id] = w.wave_number
    return pins


def with_pins(portfolio: Portfolio, pins: dict[str, int]) -> Portfolio:
    """The portfolio with these applications pinned to these waves."""
    apps = [
        a.model_copy(update={"pinned_wave": pins[a.application_id]}) if a.application_id in pins else a
        for a in portfolio.applications
    ]
    return Portfolio.model_construct(applications=apps, dependencies=portfolio.dependencies)
