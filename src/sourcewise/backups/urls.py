from django.urls import path

from sourcewise.backups import views

app_name = "backups"
urlpatterns = [
    path("", views.backup_page, name="backup"),
    path("download/", views.backup_download, name="download"),
]
