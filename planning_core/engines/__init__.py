"""The engines: pure functions over pydantic models, one folder per phase (no database, no UI)."""
