"""Portfolio files: the project template and the importers for the formats migration teams already have."""
