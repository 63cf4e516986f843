from django.urls import path

from sourcewise.findings import views

# The dashboard itself ("", name "dashboard") is `engagements.dashboard.dashboard` (it adds
# the setup checklist, which counts rows of the apps above findings): `config/urls.py` mounts
# it in this namespace next to these.
app_name = "findings"
urlpatterns = [
    path("guide/", views.guide, name="guide"),
    path("findings/<int:finding_id>/accept/", views.finding_accept, name="finding_accept"),
    path("findings/<int:finding_id>/unaccept/", views.finding_unaccept, name="finding_unaccept"),
]
