from django.urls import path

from dashboards import views

app_name = "dashboard"

urlpatterns = [
    path("", views.dashboard_view, name="index"),
    path("figures.csv", views.dashboard_csv, name="csv"),
    path("reports/", views.report_list, name="reports"),
    path("reports/new/", views.report_create, name="report-create"),
    path("reports/<int:pk>/download/", views.report_download, name="report-download"),
    path("board/", views.board, name="board"),
]
