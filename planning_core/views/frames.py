"""Dashboard tables built from the export's flat tables (one row builder for the pages and the files)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from planning_core.export.tables import FlatTable


def tenth(value: Any) -> float:
    """A figure rounded to one decimal (hours, percentages)."""
    return round(value, 1)


def table_frame(
    table: FlatTable,
    columns: Mapping[str, str],
    convert: Mapping[str, Callable[[Any], Any]] | None = None,
) -> pd.DataFrame:
    """The table's rows as a frame: `columns` maps the table's column names to the frame's, in order;
    `convert` maps a frame column to the function applied to each of its cells."""
    convert = convert or {}
    index = {name: position for position, name in enumerate(table.columns)}
    rows = [
        {new: convert.get(new, _same)(row[index[old]]) for old, new in columns.items()} for row in table.rows
    ]
    return pd.DataFrame(rows, columns=list(columns.values()))


def _same(value: Any) -> Any:
    return value
