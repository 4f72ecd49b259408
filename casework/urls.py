from django.urls import path

from casework import views, views_catalogue, views_edit, views_keys, views_saved

app_name = "casework"

urlpatterns = [
    path("", views.home, name="home"),
    path("items/", views.item_list, name="item-list"),
    path("items/new/", views.item_create, name="item-create"),
    path("items/export.csv", views.item_export, name="item-export"),
    path("items/bulk/stage/", views.item_bulk_stage, name="item-bulk-stage"),
    path("items/element-options/", views.element_options, name="element-options"),
    path("items/<int:pk>/", views.item_detail, name="item-detail"),
    path("items/<int:pk>/stage/", views.item_transition, name="item-transition"),
    path("items/<int:pk>/evidence/", views.evidence_add, name="evidence-add"),
    path("items/<int:pk>/check/", views.item_check, name="item-check"),
    path("items/saved/", views_saved.saved_filter_create, name="saved-filter-create"),
    path("items/saved/<int:pk>/", views_saved.saved_filter, name="saved-filter"),
    path(
        "items/saved/<int:pk>/delete/",
        views_saved.saved_filter_delete,
        name="saved-filter-delete",
    ),
    path("holders/api-keys/", views_keys.api_keys_home, name="api-keys-home"),
    path("holders/<int:holder_id>/api-keys/", views_keys.api_keys, name="api-keys"),
    path("variants/<int:pk>/", views.variant_group, name="variant-group"),
    path("evidence/<int:pk>/download/", views.evidence_download, name="evidence-download"),
    path("items/<int:pk>/edit/", views_edit.item_edit, name="item-edit"),
    path("catalogue/", views_catalogue.index, name="catalogue"),
    path("catalogue/franchises/new/", views_catalogue.franchise_create, name="franchise-create"),
    path("catalogue/franchises/<int:pk>/", views_catalogue.franchise_edit, name="franchise-edit"),
    path("catalogue/elements/new/", views_catalogue.element_create, name="element-create"),
    path("catalogue/elements/<int:pk>/", views_catalogue.element_edit, name="element-edit"),
    path(
        "catalogue/holders/<int:pk>/signatory/",
        views_catalogue.signatory_edit,
        name="signatory-edit",
    ),
]
