"""Wave planning: applications into the fewest valid migration waves, with bounds and rationale."""
