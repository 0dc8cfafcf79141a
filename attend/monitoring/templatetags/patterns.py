"""Display of the dashboard's patterns: a difference of two rates in percentage points."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def points(value: Decimal | None) -> str:
    """A difference of rates: "+1.25 points", "−0.50 points", "no change", or "–" for none."""
    if value is None:
        return "–"
    if value == 0:
        return "no change"
    sign = "+" if value > 0 else "−"
    return f"{sign}{abs(value)} points"
