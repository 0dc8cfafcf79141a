"""``{% chart some_chart %}``: an accessible SVG chart with its data table (attend.core.charts)."""

from __future__ import annotations

from typing import Any

from django import template

from attend.core.charts import Chart, layout

register = template.Library()


@register.inclusion_tag("core/components/chart.html")
def chart(chart: Chart) -> dict[str, Any]:
    return {"chart": chart, "layout": layout(chart)}


@register.filter
def figure(value: object, unit: str = "") -> str:
    """A value of a chart's data table: "–" when there is none."""
    return "–" if value is None else f"{value}{unit}"
