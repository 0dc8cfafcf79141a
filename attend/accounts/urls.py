from django.contrib.auth import views as auth_views
from django.urls import path

from attend.accounts import views

urlpatterns = [
    path(
        "sign-in/",
        auth_views.LoginView.as_view(template_name="core/login.html"),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/set-up/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/", views.two_factor_verify, name="two_factor_verify"),
]
