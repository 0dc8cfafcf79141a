from django.urls import path

from attend.pupils import views

urlpatterns = [
    path("schools/<int:school_id>/flags/", views.school_flags, name="school_flags"),
    path("schools/<int:school_id>/flags/<int:flag_id>/", views.school_flag, name="school_flag"),
    path(
        "schools/<int:school_id>/flags/<int:flag_id>/end/<int:pupil_flag_id>/",
        views.school_flag_end,
        name="school_flag_end",
    ),
]
