"""Portfolio: browse, filter and edit applications and dependencies; the sources, importing a file as a
source (preview, then confirm), the audit of every edit; load the demo."""

import streamlit as st

from planning_core.service.workspace import ensure_demo_portfolio
from planning_core.views import portfolio as portfolio_views
from ui import state
from ui.components import PAGES, button, flash, metric_row, page_header, run_action
from ui.filters import portfolio_filters
from ui.importing import import_panel, portfolio_service
from ui.portfolio_editor import applications_editor, archive_panel, dependencies_editor, history_panel
from ui.portfolio_sources import sources_panel

plan = state.plan()
page_header("Portfolio", plan, caption="Applications and dependencies of this engagement")
service = portfolio_service()
if service is None:
    st.info("Create a client account and engagement in the sidebar first.", icon=":material/info:")
    st.stop()

portfolio = state.portfolio()
if not portfolio.applications:
    st.info(
        "This engagement has no applications yet. Load the demo portfolio to explore, or import your own "
        "in the project template.",
        icon=":material/inventory_2:",
    )
    if button(
        "Load the demo portfolio (300 applications)",
        type="primary",
        icon=":material/science:",
        key="load_demo",
    ):
        tenant = state.tenant()
        count = run_action(lambda: ensure_demo_portfolio(state.get_database(), tenant, apps=300, seed=7))
        if count is not None:
            state.portfolio_changed()
            flash("success", f"Demo portfolio loaded: {count} applications.")
            st.rerun()
    with st.container(border=True):
        import_panel()
    with st.expander("Sources and archived applications"):
        sources_panel(service)
        archive_panel(service, portfolio)
    st.stop()

frame = portfolio_views.portfolio_frame(portfolio)
summary = portfolio_views.selection_summary(portfolio, frame["application_id"])
metric_row(
    [
        ("Applications", f"{summary.selected:,}", ""),
        ("To migrate", f"{summary.migrated:,}", "all but retire and retain"),
        ("Dependencies", f"{len(portfolio.dependencies):,}", "move together and precedes"),
        ("Business units", f"{frame['business_unit'].nunique()}", ""),
        ("Effort", f"{summary.effort_hours:,.0f} h", "of the applications to migrate"),
    ]
)

applications, dependencies, sources, importing, history = st.tabs(
    [
        ":material/apps: Applications",
        ":material/account_tree: Dependencies",
        ":material/source: Sources",
        ":material/upload: Import",
        ":material/history: History",
    ]
)
with applications:
    flt = portfolio_filters(frame, key="pf")
    shown = portfolio_views.filter_applications(frame, flt)
    st.caption(
        f"{len(shown):,} of {len(frame):,} applications match. Edit the 6R strategy, complexity, effort, "
        "criticality, skills or pinned wave in place; plans that include an edited application are "
        "marked stale and recomputed."
    )
    applications_editor(service, portfolio, list(shown["application_id"]))
    with st.expander("Archive or restore applications"):
        archive_panel(service, portfolio)
    st.page_link(
        PAGES["wizard"], label="Plan a selection of these in the wizard", icon=":material/auto_fix_high:"
    )
with dependencies:
    deps = portfolio_views.dependencies_frame(
        portfolio, shown["application_id"] if len(shown) < len(frame) else None
    )
    st.caption(f"{len(deps):,} dependencies touch the applications matching the filters.")
    st.dataframe(deps, hide_index=True, width="stretch", height=420)
    dependencies_editor(service, portfolio)
with sources:
    sources_panel(service)
with importing:
    import_panel()
with history:
    history_panel(service)
