from django.urls import path

from profiles.views import editing
from profiles.views import reading as views

app_name = "profiles"

urlpatterns = [
    path("", views.profile_list, name="list"),
    path("new/", editing.create, name="create"),
    path("compare/", views.compare, name="compare"),
    path("<slug:slug>/", views.profile_detail, name="detail"),
    path("<slug:slug>/profile.json", views.profile_json, name="json"),
    path("<slug:slug>/profile.pdf", views.profile_pdf, name="pdf"),
    path("<slug:slug>/changes/", views.changes_in_force, name="changes"),
    path("<slug:slug>/versions/", views.version_history, name="versions"),
    path("<slug:slug>/versions/<int:number>/", views.version_detail, name="version"),
    path("<slug:slug>/history/", views.audit_trail, name="audit"),
    path("<slug:slug>/edit/", editing.edit, name="edit"),
    path("<slug:slug>/edit/<str:section>/", editing.add_item, name="add"),
    path(
        "<slug:slug>/edit/<str:section>/<int:link_id>/text/",
        editing.correct_item,
        name="correct",
    ),
    path("<slug:slug>/publish/", editing.publish, name="publish"),
    path("<slug:slug>/discard/", editing.discard, name="discard"),
    path("<slug:slug>/archive/", editing.archive, name="archive"),
    path("<slug:slug>/new-draft/", editing.new_draft, name="new_draft"),
]
