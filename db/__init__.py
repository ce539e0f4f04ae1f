"""Persistence: typed ORM, sessions and the tenant-scoped repository."""
