from django.urls import path

from competency.api import tokens

app_name = "api_tokens"

urlpatterns = [
    path("", tokens.token_list, name="list"),
    path("<int:pk>/revoke/", tokens.revoke, name="revoke"),
]
