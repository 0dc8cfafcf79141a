from django.urls import path, register_converter

from attend.monitoring import priority_views, pupil_views, views
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
    path("la/overview/priorities/", views.la_priority_trends, name="la_priority_trends"),
    path("la/priorities/", priority_views.la_priorities, name="la_priorities"),
    path("la/priorities/<int:priority_id>/", priority_views.la_priority, name="la_priority"),
    # The pupil page, who needs attention and recognition (attend/monitoring/pupil_views.py).
    path("pupils/<int:enrolment_id>/", pupil_views.pupil_page_view, name="pupil_page"),
    path(
        "schools/<int:school_id>/attention/", pupil_views.school_attention, name="school_attention"
    ),
    path(
        "schools/<int:school_id>/recognition/",
        pupil_views.school_recognition,
        name="school_recognition",
    ),
    path(
        "schools/<int:school_id>/recognition/certificates/",
        pupil_views.recognition_certificates,
        name="recognition_certificates",
    ),
]
