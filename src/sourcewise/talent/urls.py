from django.urls import path

from sourcewise.talent import views

app_name = "talent"
urlpatterns = [
    path("freelancers/", views.freelancer_list, name="freelancer_list"),
    path("freelancers/new/", views.freelancer_create, name="freelancer_create"),
    path("freelancers/export.csv", views.freelancer_export, name="freelancer_export"),
    path("freelancers/import/", views.freelancer_import, name="freelancer_import"),
    path("freelancers/<int:pk>/", views.freelancer_detail, name="freelancer_detail"),
    path("freelancers/<int:pk>/edit/", views.freelancer_edit, name="freelancer_edit"),
    path("freelancers/<int:pk>/status/", views.freelancer_status, name="freelancer_status"),
    path("freelancers/<int:pk>/invite/", views.freelancer_invite, name="freelancer_invite"),
    path("freelancers/<int:pk>/portfolio/", views.portfolio_add, name="portfolio_add"),
    path("freelancers/<int:pk>/portfolio/<int:item>/review/", views.portfolio_review, name="portfolio_review"),
    path("freelancers/<int:pk>/references/", views.reference_add, name="reference_add"),
    path("freelancers/<int:pk>/interviews/", views.interview_add, name="interview_add"),
    path("freelancers/<int:pk>/trials/", views.trial_add, name="trial_add"),
    path("board/", views.board, name="board"),
    path("bench/", views.bench, name="bench"),
    path("skills/", views.skill_list, name="skill_list"),
    path("skills/<int:pk>/edit/", views.skill_edit, name="skill_edit"),
]
