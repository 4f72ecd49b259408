from django.urls import path

from casework import views_import

app_name = "imports"

urlpatterns = [
    path("", views_import.import_start, name="start"),
]
