from django.urls import path

from appraisals.views import (
    appraisal,
    check_ins,
    cycles,
    gaps,
    growth,
    people,
    privacy,
    probation,
    reminders,
    suggestions,
)

app_name = "appraisals"

urlpatterns = [
    # People (HR; managers read their reporting line)
    path("people/", people.people_list, name="people"),
    path("people/new/", people.person_create, name="person_create"),
    path("people/import/", people.people_import, name="people_import"),
    path("people/suggestions/", suggestions.people_suggestions, name="people_suggestions"),
    path("people/import/people-template.csv", people.people_template, name="people_template"),
    path("people/<int:pk>/", people.person_detail, name="person"),
    path("people/<int:pk>/edit/", people.person_edit, name="person_edit"),
    # Personal data (HR): everything held about a person; anonymising a leaver.
    path("people/<int:pk>/personal-data.json", privacy.export_json, name="personal_data_json"),
    path("people/<int:pk>/personal-data.pdf", privacy.export_pdf, name="personal_data_pdf"),
    path("people/<int:pk>/anonymise/", privacy.anonymise, name="anonymise"),
    path("people/<int:pk>/unlock/", people.person_unlock, name="person_unlock"),
    path(
        "people/<int:pk>/sign-out-everywhere/",
        people.person_sign_out_everywhere,
        name="person_sign_out_everywhere",
    ),
    # Cycles (HR)
    path("cycles/", cycles.cycle_list, name="cycles"),
    path("cycles/new/", cycles.cycle_create, name="cycle_create"),
    path("cycles/<int:pk>/", cycles.cycle_detail, name="cycle"),
    path("cycles/<int:pk>/edit/", cycles.cycle_edit, name="cycle_edit"),
    path("cycles/<int:pk>/open/", cycles.cycle_open, name="cycle_open"),
    path("cycles/<int:pk>/close/", cycles.cycle_close, name="cycle_close"),
    path("cycles/<int:pk>/remind-late/", reminders.remind_late, name="remind_late"),
    path("cycles/<int:pk>/progress.csv", reminders.export_csv, name="progress_csv"),
    path("cycles/<int:pk>/progress.xlsx", reminders.export_xlsx, name="progress_xlsx"),
    path(
        "cycles/<int:pk>/appraisals/<int:appraisal_pk>/reassign/",
        cycles.reassign,
        name="reassign",
    ),
    # One appraisal: its page, forms and moves, summary, PDF and gap chart.
    path("appraisals/<int:pk>/", appraisal.detail, name="detail"),
    path("appraisals/<int:pk>/parts/<slug:slug>/", appraisal.part_page, name="part"),
    path("appraisals/<int:pk>/ratings/", appraisal.save_ratings, name="save_ratings"),
    path("appraisals/<int:pk>/move/<str:name>/", appraisal.move, name="move"),
    path("appraisals/<int:pk>/summary-comment/", appraisal.save_summary, name="save_summary"),
    path("appraisals/<int:pk>/outcome/", appraisal.set_outcome, name="set_outcome"),
    path("appraisals/<int:pk>/objectives/", appraisal.add_objective, name="add_objective"),
    path(
        "appraisals/<int:pk>/objectives/<int:objective_id>/",
        appraisal.edit_objective,
        name="edit_objective",
    ),
    path("appraisals/<int:pk>/plan/", appraisal.add_action, name="add_action"),
    path("appraisals/<int:pk>/plan/<int:action_id>/", appraisal.edit_action, name="edit_action"),
    path("appraisals/<int:pk>/summary/", appraisal.summary, name="summary"),
    path("appraisals/<int:pk>/appraisal.pdf", appraisal.pdf, name="pdf"),
    path("appraisals/<int:pk>/gaps/", gaps.appraisal_gaps, name="gaps"),
    # One person's gaps over time.
    path("gaps/<int:person_pk>/", gaps.person_gaps, name="person_gaps"),
    # Staff's own: the next role level, readiness for it, objectives' progress.
    path("growth/", growth.growth_page, name="growth"),
    path("growth/objectives/<int:pk>/", growth.objective_progress, name="objective_progress"),
    # A person's own reminders: on or off.
    path("reminders/", reminders.my_reminders, name="my_reminders"),
    # Check-ins.
    path("check-ins/", check_ins.my_check_ins, name="my_check_ins"),
    path("check-ins/<int:person_pk>/", check_ins.person_check_ins, name="check_ins"),
    # Probation: a person's checkpoints and outcome.
    path("people/<int:pk>/probation/", probation.probation_page, name="probation"),
    path(
        "people/<int:pk>/probation/checkpoints/<int:checkpoint_pk>/",
        probation.complete,
        name="probation_complete",
    ),
    path("people/<int:pk>/probation/decision/", probation.decide, name="probation_decide"),
]
