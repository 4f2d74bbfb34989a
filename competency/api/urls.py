"""/api/v1/: one router for every app's viewsets, the schema and its docs.

To add a resource: write its viewset in the app's api.py and register it
here, one line, grouped by app."""

from django.urls import include, path, re_path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.exceptions import NotFound
from rest_framework.routers import DefaultRouter

from appraisals.api import appraisals as appraisals_api
from appraisals.api import check_ins as check_ins_api
from appraisals.api import cycles as cycles_api
from appraisals.api import insight as insight_api
from appraisals.api import people as people_api
from appraisals.api import plans as plans_api
from appraisals.api import probation as probation_api
from competency import catalogue_api
from profiles import api as profiles_api

router = DefaultRouter(trailing_slash=True)
# The catalogue (HR only, as its pages).
router.register("frameworks", catalogue_api.FrameworkViewSet, basename="framework")
router.register("skills", catalogue_api.SkillViewSet, basename="skill")
for kind in catalogue_api.COMPONENT_VIEWSETS:
    router.register(kind.prefix, kind, basename=kind.basename)
router.register("awarding-bodies", catalogue_api.AwardingBodyViewSet, basename="awarding-body")
router.register("job-families", catalogue_api.JobFamilyViewSet, basename="job-family")
# Role profiles.
router.register("profiles", profiles_api.ProfileViewSet, basename="profile")
router.register(
    r"profiles/(?P<profile_slug>[-\w]+)/versions",
    profiles_api.VersionViewSet,
    basename="profile-version",
)
router.register(
    rf"profiles/(?P<profile_slug>[-\w]+)/items/(?P<section>{profiles_api.SECTION_SLUGS})",
    profiles_api.ItemViewSet,
    basename="profile-item",
)
# Appraisals.
router.register("cycles", cycles_api.CycleViewSet, basename="cycle")
router.register("appraisals", appraisals_api.AppraisalViewSet, basename="appraisal")
router.register(
    r"appraisals/(?P<appraisal_pk>[0-9]+)/objectives",
    plans_api.ObjectiveViewSet,
    basename="appraisal-objective",
)
router.register(
    r"appraisals/(?P<appraisal_pk>[0-9]+)/development-actions",
    plans_api.DevelopmentActionViewSet,
    basename="appraisal-development-action",
)

# People and insight.
PERSON = r"people/(?P<person_pk>[0-9]{1,9})"
router.register("people", people_api.PersonViewSet, basename="person")
router.register(f"{PERSON}/check-ins", check_ins_api.CheckInViewSet, basename="check-in")
router.register(
    f"{PERSON}/probation-checkpoints",
    probation_api.CheckpointViewSet,
    basename="probation-checkpoint",
)
router.register(
    f"{PERSON}/probation-decisions", probation_api.DecisionViewSet, basename="probation-decision"
)
router.register(f"{PERSON}/readiness", insight_api.ReadinessViewSet, basename="readiness")
router.register(f"{PERSON}/gaps", insight_api.PersonGapsViewSet, basename="person-gaps")
router.register("insight/heatmap", insight_api.HeatmapViewSet, basename="heatmap")
router.register("insight/items", insight_api.ItemSearchViewSet, basename="insight-item")
router.register("insight/people-with", insight_api.PeopleWithViewSet, basename="people-with")


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@authentication_classes([])
@permission_classes([])
def unknown(request, *args, **kwargs):
    """Any other address under /api/v1/: 404 as problem details, not a page."""
    raise NotFound("There is no such address in the API.")


app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(urlconf=None), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="swagger"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("", include(router.urls)),
    # (?s): an address with an encoded newline in it is unknown too, not
    # Django's HTML 404 page.
    re_path(r"^[\s\S]*$", unknown),
]
