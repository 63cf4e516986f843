from django.urls import path

from sourcewise.jobs import views

app_name = "jobs"
urlpatterns = [
    path("<int:pk>/", views.job_progress, name="progress"),
]
