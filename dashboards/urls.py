from django.urls import path

from casework import views_dashboard

app_name = "dashboard"

urlpatterns = [
    path("", views_dashboard.dashboard_view, name="index"),
    path("figures.csv", views_dashboard.dashboard_csv, name="csv"),
    path("reports/", views_dashboard.report_list, name="reports"),
    path("reports/new/", views_dashboard.report_create, name="report-create"),
    path("reports/<int:pk>/download/", views_dashboard.report_download, name="report-download"),
    path("board/", views_dashboard.board, name="board"),
    path("items/<int:pk>/check/", views_dashboard.check_item_now, name="check-item"),
]
