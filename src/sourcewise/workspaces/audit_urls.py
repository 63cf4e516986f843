from django.urls import path

from sourcewise.workspaces import audit_log as views

app_name = "audit"
urlpatterns = [path("", views.audit_log, name="audit_log")]
