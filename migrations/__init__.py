"""Alembic migrations of the Planning Flow schema (run through db.session.Database.upgrade)."""
