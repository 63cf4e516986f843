from django.urls import path

from sourcewise.guidance import portal

app_name = "portal"
urlpatterns = [
    path("", portal.home, name="home"),
    path("sops/<int:pk>/", portal.sop_read, name="sop_read"),
    path("sops/<int:pk>/acknowledge/", portal.sop_acknowledge, name="sop_acknowledge"),
    path("documents/", portal.documents, name="documents"),
    path("pulse/", portal.pulse, name="pulse"),
]
