from django.urls import path

from notices import views

app_name = "notices"

# The item list's bulk actions post the selected item ids (field "items") to
# demand-create and demand-add-items.
urlpatterns = [
    path("", views.DemandListView.as_view(), name="demand-list"),
    path("new/", views.demand_create, name="demand-create"),
    path("add-items/", views.demand_add_items, name="demand-add-items"),
]
