from django.urls import path

from appraisals.views import appraisal, check_ins, gaps

app_name = "appraisals"

urlpatterns = [
    # One appraisal: its page, forms and moves, summary, PDF and gap chart.
    path("appraisals/<int:pk>/", appraisal.detail, name="detail"),
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
    # Check-ins.
    path("check-ins/", check_ins.my_check_ins, name="my_check_ins"),
    path("check-ins/<int:person_pk>/", check_ins.person_check_ins, name="check_ins"),
]
