"""What agreed ratings tell a manager, HR or a person: the team heatmap,
finding people by skill and level, and readiness for another profile.
Included at "" by competency/urls.py, beside appraisals/urls.py."""

from django.urls import path

from appraisals.views import insight

app_name = "insight"

urlpatterns = [
    path("team/heatmap/", insight.team_heatmap, name="heatmap"),
    path("team/find/", insight.find_people, name="find_people"),
    path("people/<int:pk>/readiness/", insight.readiness, name="readiness"),
]
