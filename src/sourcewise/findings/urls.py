from django.urls import path

from sourcewise.findings import views

app_name = "findings"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("guide/", views.guide, name="guide"),
    path("findings/<int:finding_id>/accept/", views.finding_accept, name="finding_accept"),
    path("findings/<int:finding_id>/unaccept/", views.finding_unaccept, name="finding_unaccept"),
]
