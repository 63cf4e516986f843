from django.urls import path

from sourcewise.workspaces import views

app_name = "workspaces"
urlpatterns = [
    path("", views.workspace_list, name="workspace_list"),
    path("new/", views.workspace_create, name="workspace_create"),
    path("<int:workspace_id>/switch/", views.workspace_switch, name="workspace_switch"),
    path("settings/", views.workspace_settings, name="settings"),
    path("members/", views.member_list, name="members"),
    path("members/<int:pk>/", views.member_change, name="member_change"),
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
]
