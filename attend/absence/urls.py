from django.urls import path

import attend.registers.urls  # noqa: F401  (registers the isodate converter)
from attend.absence import views

urlpatterns = [
    path("schools/<int:school_id>/follow-up/", views.worklist, name="follow_up"),
    path(
        "schools/<int:school_id>/follow-up/settings/",
        views.follow_up_settings,
        name="follow_up_settings",
    ),
    path(
        "follow-up/<int:enrolment_id>/<isodate:day>/",
        views.pupil_follow_up,
        name="follow_up_pupil",
    ),
]
