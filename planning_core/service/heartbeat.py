"""A heartbeat: a daemon thread that records, every few seconds, that a run is still alive.

A CLI run and a background worker keep one on the plan they run (`PlanRow.heartbeat_at`, see
`planning_core.service.store`); the worker also keeps one on its job (`planning_core.service.runs`).
A plan whose running phase has a stale heartbeat belongs to a process that died: it is shown as
interrupted and may be resumed (`planning_core.service.queue.plan_status`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class Heartbeat:
    """Calls `beat` every `interval_s` seconds until stopped, or until `beat` returns False.

    A beat that raises is skipped (the next one tries again): a dead database fails the run itself.
    """

    def __init__(self, beat: Callable[[], bool | None], interval_s: float, name: str) -> None:
        self._beat = beat
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name=name)

    def _loop(self) -> None:
        while not self._stop.wait(self._interval_s):
            try:
                if self._beat() is False:
                    return
            except Exception:  # a missed beat is retried at the next interval
                continue

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
