from django.urls import path

from sourcewise.findings import views

app_name = "findings"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("guide/", views.guide, name="guide"),
]
