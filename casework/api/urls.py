"""The casework half of /api/v1/ (config/urls.py joins it with notices.api's)."""

from rest_framework.routers import SimpleRouter

from casework.api import views

router = SimpleRouter()
router.register("items", views.ItemViewSet, basename="item")
router.register("franchises", views.FranchiseViewSet, basename="franchise")
router.register("elements", views.ElementViewSet, basename="element")
router.register("platforms", views.PlatformViewSet, basename="platform")
router.register("respondents", views.RespondentViewSet, basename="respondent")
