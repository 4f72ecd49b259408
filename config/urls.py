from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from casework.views_health import healthz, metrics, readyz

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("demands/", include("notices.urls")),
    path("import/", include("casework.urls_import")),
    path("dashboard/", include("dashboards.urls")),
    path("", include("casework.urls")),
]
