from django.urls import path

from notices import views

app_name = "notices"

urlpatterns = [
    path("", views.DemandListView.as_view(), name="demand-list"),
]
