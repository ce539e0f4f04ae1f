"""The application layer: the flow service, its phases, revisions and rollback, background runs,
workspaces and tenant memory. With `planning_core.cli`, the only part of planning_core that talks to `db`."""
