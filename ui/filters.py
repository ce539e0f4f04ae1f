"""The portfolio filter bar, shared by the portfolio page and the wizard's selection step."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from planning_core import views
from planning_core.domain import Criticality, SixR


def portfolio_filters(frame: pd.DataFrame, *, key: str) -> views.PortfolioFilter:
    """Business unit, 6R, criticality, complexity and text search; returns the chosen filter."""
    units = sorted(u for u in frame["business_unit"].dropna().unique() if u)
    search, unit, strategy, criticality, complexity = st.columns([2.2, 1.6, 1.6, 1.4, 1.4])
    text = search.text_input(
        "Search",
        key=f"{key}_text",
        placeholder="id, name, business unit or skill",
        icon=":material/search:",
        max_chars=100,
    )
    business_units = unit.multiselect("Business unit", units, key=f"{key}_bu", placeholder="any")
    strategies = strategy.multiselect(
        "6R strategy", [s.value for s in SixR], key=f"{key}_6r", placeholder="any"
    )
    criticalities = criticality.multiselect(
        "Criticality", [c.value for c in Criticality], key=f"{key}_crit", placeholder="any"
    )
    low, high = complexity.slider("Complexity", 1, 10, (1, 10), key=f"{key}_cx")
    return views.PortfolioFilter(
        business_units=tuple(business_units),
        strategies=tuple(strategies),
        criticalities=tuple(criticalities),
        complexity=(int(low), int(high)),
        text=text,
    )


APPLICATION_COLUMNS = {
    "application_id": st.column_config.TextColumn("ID", width="small"),
    "name": st.column_config.TextColumn("Application", width="medium"),
    "business_unit": st.column_config.TextColumn("Business unit"),
    "environment": st.column_config.TextColumn("Env", width="small"),
    "six_r_strategy": st.column_config.TextColumn("6R", width="small"),
    "complexity": st.column_config.ProgressColumn("Complexity", min_value=0, max_value=10, format="%d"),
    "business_criticality": st.column_config.TextColumn("Criticality", width="small"),
    "effort_hours": st.column_config.NumberColumn("Effort (h)", format="%.0f"),
    "server_count": st.column_config.NumberColumn("Servers", format="%d"),
    "data_size_gb": st.column_config.NumberColumn("Data (GB)", format="%.0f"),
    "required_skills": st.column_config.TextColumn("Skills"),
}
