from django.urls import path

from sourcewise.engagements import views

app_name = "engagements"
urlpatterns = [
    path("", views.engagement_list, name="engagement_list"),
    path("new/", views.engagement_create, name="engagement_create"),
    path("<int:pk>/", views.engagement_detail, name="engagement_detail"),
    path("<int:pk>/edit/", views.engagement_edit, name="engagement_edit"),
    path("<int:pk>/activate/", views.engagement_activate, name="engagement_activate"),
    path("<int:pk>/complete/", views.engagement_complete, name="engagement_complete"),
    path("<int:pk>/terminate/", views.engagement_terminate, name="engagement_terminate"),
    path("<int:pk>/cancel/", views.engagement_cancel, name="engagement_cancel"),
    path("<int:pk>/assign-manager/", views.engagement_assign_manager, name="engagement_assign_manager"),
    path(
        "<int:pk>/request-acknowledgement/",
        views.engagement_request_acknowledgement,
        name="engagement_request_acknowledgement",
    ),
    path("<int:pk>/milestones/new/", views.milestone_create, name="milestone_create"),
    path("<int:pk>/checkpoints/new/", views.checkpoint_create, name="checkpoint_create"),
    path("<int:pk>/time/", views.time_log, name="time_log"),
    path("milestones/<int:pk>/submit/", views.milestone_submit, name="milestone_submit"),
    path("milestones/<int:pk>/review/", views.milestone_review, name="milestone_review"),
    path("time/", views.time_approvals, name="time_approvals"),
    path("time/approve/", views.time_approve_selected, name="time_approve_selected"),
    path("<int:pk>/trial-cap/", views.engagement_trial_cap, name="engagement_trial_cap"),
    path("time/<int:pk>/review/", views.time_review, name="time_review"),
    path("managers/", views.manager_list, name="manager_list"),
    path("managers/<int:pk>/", views.manager_detail, name="manager_detail"),
    path("offboarding/", views.offboarding_list, name="offboarding_list"),
    path("offboarding/<int:pk>/", views.offboarding_detail, name="offboarding_detail"),
    path("handovers/<int:pk>/", views.handover_update, name="handover_update"),
    path("handovers/<int:pk>/candidates/", views.handover_candidates, name="handover_candidates"),
]
