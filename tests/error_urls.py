"""A URLconf for the error-page tests: the app's, plus a view that fails."""

from django.urls import path

from config.urls import handler500
from config.urls import urlpatterns as app_patterns


def boom(request):
    raise RuntimeError("A view failed (the error-page test).")


urlpatterns = [path("boom/", boom, name="boom"), *app_patterns]

__all__ = ["handler500", "urlpatterns"]
