from django.urls import path

from dashboards import views_scorecards as views

app_name = "scorecards"

urlpatterns = [
    path("respondents/", views.respondents, name="respondents"),
    path("respondents/<int:pk>/", views.respondent, name="respondent"),
    path("platforms/", views.platforms, name="platforms"),
    path("platforms/<int:pk>/", views.platform, name="platform"),
]
