"""Quiet library output: inside quiet_library_output, CrewAI's and the OpenAI client's log lines and
CrewAI's event-bus warnings go to the log file, not the terminal; run_line is one line per specialist run."""

from __future__ import annotations

import json
import logging

from standin import Reply

from planning_core.agents import advise, quiet_library_output, run_line
from planning_core.domain import Phase


def test_failures_are_logged_to_the_file_and_nothing_reaches_the_terminal(
    standin, llm_settings, computed, tmp_path, capfd
) -> None:  # noqa: ANN001
    plan, portfolio = computed
    log_file = tmp_path / "logs" / "agents.log"
    handlers = list(logging.getLogger().handlers)
    capfd.readouterr()
    with quiet_library_output(log_file) as path:
        for script in (lambda body: Reply(status=500), lambda body: Reply(content="{}", delay_s=1.2)):
            standin.reset(script)
            advice = advise(
                phase=Phase.WAVE_PLANNING,
                plan=plan,
                portfolio=portfolio,
                document=plan.wave_plan,
                settings=llm_settings,
            )
            assert advice.run.outcome == "failed"
            line = run_line(advice.run, advice.suggestions)
            assert line.startswith("agent WavePlanningSpecialist wave planning: failed in ")
            assert line.endswith("; the optimizer's result is kept")
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
    assert path == log_file
    text = log_file.read_text(encoding="utf-8")
    assert "ERROR root [" in text and "OpenAI API call failed: Error code: 500" in text
    assert logging.getLogger().handlers == handlers  # put back as it was


def test_run_line_counts_the_runs_suggestions(standin, llm_settings, computed) -> None:  # noqa: ANN001
    plan, portfolio = computed
    moves = [{"application_id": "mail", "to_wave": 1}, {"application_id": "crm", "to_wave": 3}]
    standin.reset(lambda body: Reply(content=json.dumps({"moves": moves, "summary": "Two."})))
    advice = advise(
        phase=Phase.WAVE_PLANNING,
        plan=plan,
        portfolio=portfolio,
        document=plan.wave_plan,
        settings=llm_settings,
    )
    line = run_line(advice.run, advice.suggestions)
    assert line.startswith("agent WavePlanningSpecialist wave planning: accepted in ")
    assert line.endswith("; suggestions: 1 accepted, 1 invalid")
