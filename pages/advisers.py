"""Advisers: each run of each specialist, what it proposed and what became of it; how to configure a model."""

from ui import advisers, state
from ui.components import page_header, require_plan

plan = state.plan()
page_header("Advisers", plan)
if plan is None:
    advisers.panel(None)  # how to configure a model, then the next step
plan = require_plan(plan)
advisers.panel(plan)
