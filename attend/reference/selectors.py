"""Reads of the national reference figures (published statistics: no scope needed)."""

from __future__ import annotations

from attend.reference.domain import Figure
from attend.reference.models import NationalFigure


def national_figures() -> list[Figure]:
    """Every national figure, in one query."""
    return [f.as_figure() for f in NationalFigure.objects.all()]
