from django.urls import path

from casework import views_import

app_name = "imports"

urlpatterns = [
    path("", views_import.import_start, name="start"),
    path("template.csv", views_import.import_template, name="template"),
    path("<int:pk>/", views_import.import_detail, name="detail"),
    path("<int:pk>/confirm/", views_import.import_confirm, name="confirm"),
    path("<int:pk>/progress/", views_import.import_progress, name="progress"),
]
