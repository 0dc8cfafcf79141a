"""Display of the monitoring figures: rates as percentages, a dash when there is none."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def pct(value: Decimal | None) -> str:
    """A rate from registers.domain.percent_of: "93.45%", or "–" when there is no rate."""
    return "–" if value is None else f"{value}%"


@register.filter
def points(value: Decimal | None) -> str:
    """A gap in percentage points, signed: "+3.20", "-1.05", "0.00", or "–" when there is none."""
    if value is None:
        return "–"
    return f"+{value}" if value > 0 else f"{value}"
