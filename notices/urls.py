from django.urls import path

from notices import views

app_name = "notices"

# The item list's bulk actions post the selected item ids (field "items") to
# demand-create and demand-add-items.
urlpatterns = [
    path("", views.DemandListView.as_view(), name="demand-list"),
    path("new/", views.demand_create, name="demand-create"),
    path("add-items/", views.demand_add_items, name="demand-add-items"),
    path("<int:pk>/", views.demand_detail, name="demand-detail"),
    path("<int:pk>/edit/", views.demand_edit, name="demand-edit"),
    path(
        "<int:pk>/items/<int:item_id>/remove/",
        views.demand_remove_item,
        name="demand-remove-item",
    ),
    path("<int:pk>/remedies/add/", views.remedy_add, name="remedy-add"),
    path("<int:pk>/remedies/<int:remedy_id>/", views.remedy_edit, name="remedy-edit"),
    path("<int:pk>/remedies/<int:remedy_id>/remove/", views.remedy_remove, name="remedy-remove"),
    path(
        "<int:pk>/remedies/<int:remedy_id>/compliance/",
        views.remedy_compliance,
        name="remedy-compliance",
    ),
    path("<int:pk>/action/<slug:action>/", views.demand_action, name="demand-action"),
    path("<int:pk>/return/", views.demand_return, name="demand-return"),
    path("<int:pk>/send/", views.demand_send, name="demand-send"),
    path("<int:pk>/letters/", views.letter_request, name="letter-request"),
    path("<int:pk>/letters/panel/", views.letter_panel, name="letter-panel"),
    path("<int:pk>/preview/", views.demand_preview, name="demand-preview"),
    path("<int:pk>/history/", views.demand_history, name="demand-history"),
    path("<int:pk>/lumen/", views.demand_lumen, name="demand-lumen"),
    path("letters/<int:letter_id>/download/", views.letter_download, name="letter-download"),
    path("letters/<int:letter_id>/view/", views.letter_view, name="letter-view"),
    path("waiting/", views.WaitingView.as_view(), name="waiting"),
    path("waiting/count/", views.waiting_count, name="waiting-count"),
    path("<int:pk>/responses/new/", views.response_add, name="response-add"),
    path(
        "responses/files/<int:file_id>/download/",
        views.response_file_download,
        name="response-file-download",
    ),
    path("exports/", views.export_create, name="export-create"),
    path("exports/<int:pk>/", views.export_detail, name="export-detail"),
    path("exports/<int:pk>/download/", views.export_download, name="export-download"),
    path("templates/", views.template_list, name="template-list"),
    path("templates/<int:holder_id>/", views.template_edit, name="template-edit"),
]
