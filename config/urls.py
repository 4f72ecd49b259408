from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from casework.views_health import healthz

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("demands/", include("notices.urls")),
    path("import/", include("casework.urls_import")),
    path("dashboard/", include("dashboards.urls")),
    path("", include("casework.urls")),
]

# The 500 page needs neither the database nor the request (config/errors.py); 403 and 404
# are Django's handlers with templates/403.html and templates/404.html.
handler500 = "config.errors.server_error"
