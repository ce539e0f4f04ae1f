"""Effort uncertainty per application: PERT-distributed multipliers of its effort.

For an effort uncertainty ``u`` (``cost_inputs.effort_uncertainty_pct``) an application of complexity
``c`` and 6R strategy ``s`` gets, in every iteration, an effort multiplier drawn from the PERT
distribution on ``[1 - a, 1, 1 + b]`` (minimum, most likely, maximum):

    width = (1 + COMPLEXITY_WIDENING x (c - REFERENCE_COMPLEXITY)) x (REFACTOR_WIDENING if s is refactor else 1)
    a     = min(u / 200 x width, MAX_SAVING)        (the saving side, as the cost model's triangle)
    b     = u / 100 x width                         (the overrun side: twice as wide)

so a complexity-5 rehost has the cost model's range ``[1 - u/200, 1 + u/100]``, complexity 10 is 1.5
times as wide, complexity 1 0.6 times, and refactoring another 1.5 times. PERT on ``[lo, mode, hi]`` is
``lo + (hi - lo) x Beta(alpha, beta)`` with ``alpha = 1 + PERT_LAMBDA (mode - lo) / (hi - lo)`` and
``beta = 1 + PERT_LAMBDA (hi - mode) / (hi - lo)`` (``PERT_LAMBDA = 4``: mean ``(lo + 4 mode + hi) / 6``).
A zero width (``u = 0``) gives the multiplier 1 exactly, with no draw.

Draws come from ``numpy.random.default_rng(seed)`` in batches of the same shape, so a seed always gives
the same multipliers (and the first ``k`` iterations of a longer run are those of a run of ``k``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from planning_core.domain import SixR

REFERENCE_COMPLEXITY = 5
COMPLEXITY_WIDENING = 0.1  # per complexity level above (below) 5: 10 % wider (narrower)
REFACTOR_WIDENING = 1.5
MAX_SAVING = 0.9  # an application never takes less than 10 % of its effort
PERT_LAMBDA = 4.0


def spread(uncertainty_pct: float, complexity: int, strategy: SixR) -> tuple[float, float]:
    """(a, b): the multiplier ranges from ``1 - a`` to ``1 + b`` (see the module docstring)."""
    width = 1.0 + COMPLEXITY_WIDENING * (complexity - REFERENCE_COMPLEXITY)
    if strategy == SixR.REFACTOR:
        width *= REFACTOR_WIDENING
    width = max(width, 0.0)
    return min(uncertainty_pct / 200.0 * width, MAX_SAVING), uncertainty_pct / 100.0 * width


class EffortSampler:
    """Per-application effort deviations (multiplier - 1), batch after batch, from one seeded stream."""

    def __init__(self, spreads: Sequence[tuple[float, float]], seed: int) -> None:
        low = np.array([a for a, _ in spreads], dtype=np.float64)
        high = np.array([b for _, b in spreads], dtype=np.float64)
        self.size = len(spreads)
        self.low = low
        self.range = low + high
        self.varies = self.range > 0
        span = np.where(self.varies, self.range, 1.0)
        self.alpha = 1.0 + PERT_LAMBDA * low / span
        self.beta = 1.0 + PERT_LAMBDA * high / span
        self.rng = np.random.default_rng(seed)

    def deviations(self, iterations: int) -> np.ndarray:
        """(iterations, applications) multipliers minus one; exactly 0 where the range is empty."""
        out = np.zeros((iterations, self.size), dtype=np.float64)
        if not self.varies.any():
            return out
        cols = np.flatnonzero(self.varies)
        draws = self.rng.beta(self.alpha[cols], self.beta[cols], size=(iterations, cols.size))
        out[:, cols] = draws * self.range[cols] - self.low[cols]
        return out
