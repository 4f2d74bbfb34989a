from django.urls import path

from profiles.views import imports as import_views

app_name = "imports"

urlpatterns = [
    path("profile/", import_views.import_profile, name="profile"),
    path("framework/", import_views.import_framework_page, name="framework"),
    path(
        "framework/<slug:layout>-template.csv",
        import_views.table_template,
        name="table_template",
    ),
]
