"""The charts moved to ``alliance_monitor.charts``, which the workspace pages and the reports share.

Kept so that reporting modules written before the move still import; new code imports
``alliance_monitor.charts``.
"""

from __future__ import annotations

from alliance_monitor.charts import (
    ASSESSMENT_COLOURS,
    PERIOD_COLOURS,
    Chart,
    Series,
    axis_for,
    bar_chart,
    format_number,
    wrap_label,
)

__all__ = [
    "ASSESSMENT_COLOURS",
    "PERIOD_COLOURS",
    "Chart",
    "Series",
    "axis_for",
    "bar_chart",
    "format_number",
    "wrap_label",
]
