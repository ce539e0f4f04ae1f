"""Where the libraries behind the specialists write: a log file, never the terminal.

CrewAI and the OpenAI client log through `logging`, part of it on the root logger (without a handler
there Python prints 'ERROR:root:...' lines on stderr), and CrewAI prints its event bus's warnings
('[CrewAIEventsBus] Warning: ...') with a console of its own. Inside `quiet_library_output(path)`
every log record and Python warning goes to the file, and CrewAI's console prints nothing, so the
command line prints only its own lines (one per specialist run: `planning_core.agents.run_line`).

Nothing here imports crewai: the console switch is applied by `crewai_console_quiet()` around a crew's
run, which `planning_core.agents.crew` enters while crewai is loaded anyway.
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Loggers of the libraries behind the specialists whose own terminal handlers are set aside too.
LIBRARY_LOGGERS = (
    "crewai",
    "crewai_core",
    "crewai_tools",
    "openai",
    "httpx",
    "httpcore",
    "litellm",
    "LiteLLM",
)
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s]: %(message)s"

_lock = threading.Lock()
_quiet_depth = 0


def library_output_quiet() -> bool:
    """Whether a `quiet_library_output` block is active (crew runs then silence CrewAI's console)."""
    return _quiet_depth > 0


def _terminal_handlers(logger: logging.Logger) -> list[logging.Handler]:
    return [
        h
        for h in logger.handlers
        if isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler)
    ]


@contextmanager
def quiet_library_output(log_file: Path, level: int = logging.INFO) -> Iterator[Path]:
    """Send every log record (from `level` up) and Python warning to `log_file` for the block, and
    silence CrewAI's console; everything is put back as it was afterwards. Yields the log file's path.

    Meant for a process's entry point (the command line wraps a run in it): the root logger's handlers
    are replaced for the duration of the block.
    """
    global _quiet_depth
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_file, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    saved_root = (list(root.handlers), root.level)
    saved_libraries: list[tuple[logging.Logger, list[logging.Handler]]] = []
    for name in sorted(logging.root.manager.loggerDict):
        if name.split(".")[0] in LIBRARY_LOGGERS:
            logger = logging.getLogger(name)
            terminal = _terminal_handlers(logger)
            if terminal:
                saved_libraries.append((logger, terminal))
                for h in terminal:
                    logger.removeHandler(h)
    saved_showwarning = warnings.showwarning
    root.handlers = [handler]
    root.setLevel(level)
    logging.captureWarnings(True)
    with _lock:
        _quiet_depth += 1
    try:
        yield log_file
    finally:
        with _lock:
            _quiet_depth -= 1
        logging.captureWarnings(False)
        warnings.showwarning = saved_showwarning
        root.handlers = saved_root[0]
        root.setLevel(saved_root[1])
        for logger, terminal in saved_libraries:
            for h in terminal:
                logger.addHandler(h)
        handler.close()


@contextmanager
def crewai_console_quiet() -> Iterator[None]:
    """CrewAI's console output suppressed for the block when a `quiet_library_output` block is active
    (call it with crewai loaded: it switches CrewAI's own suppression flag of the current context)."""
    if not library_output_quiet():
        yield
        return
    try:
        from crewai_core.printer import set_suppress_console_output, should_suppress_console_output
    except ImportError:  # a CrewAI without the switch: its console output is not ours to stop
        yield
        return
    previous = should_suppress_console_output()
    set_suppress_console_output(True)
    try:
        yield
    finally:
        set_suppress_console_output(previous)
