"""Portfolio files: the project template and the importers for the formats migration teams already have.

``write_template``/``read_template`` handle the project's own template; ``preview_import`` reads any
supported format into an ``ImportPreview`` (nothing is written); ``merge_previews`` merges a second
source into a portfolio. The value mapping is documented in ``normalise``.
"""

from planning_core.portfolio.importers import (
    FORMATS,
    ImportOptions,
    ImportPreview,
    ImportProblem,
    detect_format,
    merge_previews,
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
    "DEPENDENCY_COLUMNS",
    "FORMATS",
    "ImportOptions",
    "ImportPreview",
    "ImportProblem",
    "detect_format",
    "merge_previews",
    "preview_import",
    "read_template",
    "server_map",
    "write_template",
]
