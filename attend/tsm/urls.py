from django.urls import path, register_converter

from attend.tsm import views
from attend.tsm.domain import Term


class TermConverter:
    regex = "|".join(t.value for t in Term)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


class YearConverter:
    """An academic year by its start year, 2000-2099."""

    regex = "20[0-9]{2}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(TermConverter, "tsm_term")
register_converter(YearConverter, "tsm_year")

_MEETING = "schools/<int:school_id>/tsm/<tsm_year:year>/<tsm_term:term>"

urlpatterns = [
    path("la/tsm/", views.tsm_list, name="tsm_list"),
    path("la/tsm/officers/", views.tsm_officers, name="tsm_officers"),
    path("schools/<int:school_id>/tsm/", views.school_tsms, name="school_tsms"),
    path(f"{_MEETING}/plan/", views.tsm_plan, name="tsm_plan"),
    path(f"{_MEETING}/record/", views.tsm_record, name="tsm_record"),
    path(f"{_MEETING}/pack/", views.tsm_pack, name="tsm_pack"),
    path(f"{_MEETING}/pack.pdf", views.tsm_pack_pdf, name="tsm_pack_pdf"),
]
