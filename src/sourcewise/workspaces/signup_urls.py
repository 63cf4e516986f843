"""Sign-up URLs; they keep their /accounts/ paths (links already mailed stay valid)."""

from django.urls import path

from sourcewise.workspaces import signup_views

app_name = "signup"
urlpatterns = [
    path("signup/", signup_views.signup, name="form"),
    path("signup/sent/", signup_views.signup_sent, name="sent"),
    path("signup/confirm/<uidb64>/<token>/", signup_views.signup_confirm, name="confirm"),
]
