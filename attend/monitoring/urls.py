from django.urls import path, register_converter

from attend.monitoring import priority_views, views
from attend.registers.domain import AttendanceCategory


class CategoryConverter:
    """One of the LA's five categories by its value; anything else does not match (a 404)."""

    regex = "|".join(c.value for c in AttendanceCategory)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


register_converter(CategoryConverter, "attendance_category")

urlpatterns = [
    path("schools/<int:school_id>/dashboard/", views.school_dashboard, name="school_dashboard"),
    path(
        "schools/<int:school_id>/dashboard/category/<attendance_category:category>/",
        views.school_category,
        name="school_category",
    ),
    path("schools/<int:school_id>/governors/", views.governors_view, name="governors_view"),
    path("la/overview/", views.la_overview, name="la_overview"),
    path("la/priorities/", priority_views.la_priorities, name="la_priorities"),
    path("la/priorities/<int:priority_id>/", priority_views.la_priority, name="la_priority"),
]
