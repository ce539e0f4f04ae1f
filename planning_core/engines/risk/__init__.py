"""Risk by simulation: Monte Carlo end dates and costs of a completed plan (see ``engine``)."""
