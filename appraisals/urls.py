from django.urls import path

from appraisals.views import cycles, people

app_name = "appraisals"

urlpatterns = [
    # People (HR; managers read their reporting line)
    path("people/", people.people_list, name="people"),
    path("people/new/", people.person_create, name="person_create"),
    path("people/import/", people.people_import, name="people_import"),
    path("people/import/people-template.csv", people.people_template, name="people_template"),
    path("people/<int:pk>/", people.person_detail, name="person"),
    path("people/<int:pk>/edit/", people.person_edit, name="person_edit"),
    # Cycles (HR)
    path("cycles/", cycles.cycle_list, name="cycles"),
    path("cycles/new/", cycles.cycle_create, name="cycle_create"),
    path("cycles/<int:pk>/", cycles.cycle_detail, name="cycle"),
    path("cycles/<int:pk>/edit/", cycles.cycle_edit, name="cycle_edit"),
    path("cycles/<int:pk>/open/", cycles.cycle_open, name="cycle_open"),
    path("cycles/<int:pk>/close/", cycles.cycle_close, name="cycle_close"),
    path(
        "cycles/<int:pk>/appraisals/<int:appraisal_pk>/reassign/",
        cycles.reassign,
        name="reassign",
    ),
]
