"""The matching pages, mounted under /talent/ beside the talent pages (config/urls.py)."""

from django.urls import path

from sourcewise.engagements import matching_views

app_name = "matching"
urlpatterns = [
    path("match/", matching_views.match, name="match"),
    path("tasks/<int:pk>/candidates/", matching_views.candidates, name="candidates"),
]
