"""The PDF report: document assembly, its sections, flowable blocks, charts and the Gantt."""
