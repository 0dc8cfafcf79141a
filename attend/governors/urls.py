from django.urls import path, register_converter

from attend.governors import views
from attend.governors.domain import Term


class TermConverter:
    """autumn, spring or summer; anything else does not match (a 404)."""

    regex = "|".join(t.value for t in Term)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


register_converter(TermConverter, "term")

urlpatterns = [
    path(
        "schools/<int:school_id>/governors/report/<int:year>/<term:term>/",
        views.termly_report,
        name="governors_termly_report",
    ),
    path(
        "schools/<int:school_id>/governors/reports/<int:report_id>/",
        views.stored_report,
        name="governors_stored_report",
    ),
]
