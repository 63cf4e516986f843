from django.urls import path

from sourcewise.talent import views

app_name = "talent"
urlpatterns = [
    path("freelancers/", views.freelancer_list, name="freelancer_list"),
    path("freelancers/new/", views.freelancer_create, name="freelancer_create"),
    path("freelancers/<int:pk>/", views.freelancer_detail, name="freelancer_detail"),
    path("freelancers/<int:pk>/edit/", views.freelancer_edit, name="freelancer_edit"),
    path("skills/", views.skill_list, name="skill_list"),
    path("skills/<int:pk>/edit/", views.skill_edit, name="skill_edit"),
]
