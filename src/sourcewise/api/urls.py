from django.urls import path

from sourcewise.api import views
from sourcewise.api.main import api

app_name = "api_tokens"
urlpatterns = [
    path("settings/api-tokens/", views.token_list, name="token_list"),
    path("settings/api-tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
api_urls = api.urls
