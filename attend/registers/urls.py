import datetime as dt

from django.urls import path, register_converter

from attend.registers import views
from attend.registers.domain import Session


class IsoDateConverter:
    """A date in the form YYYY-MM-DD; anything else (or an impossible date) does not match."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> dt.date:
        return dt.date.fromisoformat(value)  # ValueError: the URL does not match (a 404)

    def to_url(self, value: dt.date) -> str:
        return value.isoformat()


class SessionConverter:
    regex = "AM|PM"

    def to_python(self, value: str) -> Session:
        return Session(value)

    def to_url(self, value: Session | str) -> str:
        return str(value)


register_converter(IsoDateConverter, "isodate")
register_converter(SessionConverter, "session")

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "registers/<int:group_id>/<isodate:day>/<session:session>/",
        views.register,
        name="register",
    ),
    path(
        "schools/<int:school_id>/registers-not-taken/",
        views.registers_missing,
        name="registers_missing",
    ),
    path("pupils/<int:enrolment_id>/register/", views.pupil_register, name="pupil_register"),
]
