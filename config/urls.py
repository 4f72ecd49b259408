from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from casework.api.problems import not_found
from casework.api.urls import router as casework_api
from casework.views_health import healthz, metrics, readyz
from notices.api import router as notices_api

# The REST API, version 1: casework's routes and notices' (the apps keep their own).
api_v1 = [*casework_api.urls, *notices_api.urls]

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # OpenAPI 3 and its reference page (Swagger UI from the drf-spectacular-sidecar's
    # static files; its init script is a same-origin file, so the CSP needs no inline).
    path(
        "api/schema/",
        SpectacularAPIView.as_view(permission_classes=[AllowAny], api_version="v1"),
        name="api-schema",
    ),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", permission_classes=[AllowAny]),
        name="api-docs",
    ),
    re_path(r"^api/(?P<version>v1)/", include((api_v1, "api"))),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("demands/", include("notices.urls")),
    path("import/", include("casework.urls_import")),
    path("dashboard/", include("dashboards.urls")),
    path("scorecards/", include("dashboards.urls_scorecards")),
    path("", include("casework.urls")),
]

# The 500 page needs neither the database nor the request (config/errors.py); 403 and 404
# are Django's handlers with templates/403.html and templates/404.html (a 404 under /api/
# is a problem document: casework/api/problems.py).
handler500 = "config.errors.server_error"
handler404 = not_found
