"""Portfolio files: the project template and the importers for the formats migration teams already have.

``write_template``/``read_template`` handle the project's own template; ``preview_import`` reads any
supported format into an ``ImportPreview`` (nothing is written, every default named); ``plan_merge``
classifies what merging a second source into a portfolio does and ``merge_previews`` gives the result. The value mapping is documented in ``normalise``.
"""

from planning_core.portfolio.importers import (
    FORMATS,
    DefaultApplied,
    ImportOptions,
    ImportPreview,
    ImportProblem,
    MergePreview,
    detect_format,
    merge_previews,
    plan_merge,
    preview_import,
    server_map,
)
from planning_core.portfolio.template import (
    APPLICATION_COLUMNS,
    DEPENDENCY_COLUMNS,
    read_template,
    write_template,
)

__all__ = [
    "APPLICATION_COLUMNS",
    "DefaultApplied",
    "DEPENDENCY_COLUMNS",
    "FORMATS",
    "ImportOptions",
    "ImportPreview",
    "ImportProblem",
    "MergePreview",
    "detect_format",
    "merge_previews",
    "plan_merge",
    "preview_import",
    "read_template",
    "server_map",
    "write_template",
]
