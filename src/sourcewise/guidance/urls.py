from django.urls import path

from sourcewise.guidance import views

app_name = "guidance"
urlpatterns = [
    path("sops/", views.sop_list, name="sop_list"),
    path("sops/new/", views.sop_create, name="sop_create"),
    path("sops/<int:pk>/", views.sop_detail, name="sop_detail"),
    path("sops/<int:pk>/edit/", views.sop_edit, name="sop_edit"),
    path("sops/<int:pk>/versions/new/", views.sop_new_version, name="sop_new_version"),
    path("sop-versions/<int:pk>/", views.sop_version, name="sop_version"),
    path("documents/", views.document_overview, name="document_overview"),
    path("documents/types/<int:pk>/", views.document_type_edit, name="document_type_edit"),
    path("documents/freelancers/<int:pk>/", views.freelancer_documents, name="freelancer_documents"),
    path(
        "documents/freelancers/<int:pk>/request/",
        views.freelancer_request_documents,
        name="freelancer_request_documents",
    ),
    path("documents/<int:pk>/file/", views.document_file, name="document_file"),
    path("pulse/", views.pulse_list, name="pulse_list"),
    path("training/", views.training_list, name="training_list"),
    path("training/<int:pk>/", views.member_training, name="member_training"),
]
