from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("attend.accounts.urls")),
    path("admin/", admin.site.urls),
    path("", include("attend.registers.urls")),
    path("", include("attend.monitoring.urls")),
    path("", include("attend.pupils.urls")),
    path("", include("attend.governors.urls")),
    path("", include("attend.absence.urls")),
    path("", include("attend.tsm.urls")),
]

# Django's own error views render our templates (404.html, 500.html, 403.html, 400.html): generic
# GOV.UK pages that show nothing from the request.
handler400 = "django.views.defaults.bad_request"
handler403 = "django.views.defaults.permission_denied"
handler404 = "django.views.defaults.page_not_found"
handler500 = "django.views.defaults.server_error"
