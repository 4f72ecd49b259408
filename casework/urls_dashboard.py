from django.urls import path

from casework import views_dashboard

app_name = "dashboard"

urlpatterns = [
    path("", views_dashboard.dashboard, name="index"),
]
