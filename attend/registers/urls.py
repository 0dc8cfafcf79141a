from django.urls import path

from attend.registers import views

urlpatterns = [
    path("", views.home, name="home"),
]
