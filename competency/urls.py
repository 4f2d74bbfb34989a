"""The project's wiring: every app's pages, and every app's API resources on
the one router under /api/v1/. Only this module (with the settings and the
WSGI entry point) names every app; the apps import downwards only
(appraisals -> profiles -> competency, checked by `make check`).

To add an API resource: write its viewset in its app's api/ package (see
competency/api/__init__.py) and register it below, one line, grouped by app.
"""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from appraisals.api import appraisals as appraisals_api
from appraisals.api import check_ins as check_ins_api
from appraisals.api import cycles as cycles_api
from appraisals.api import development as development_api
from appraisals.api import insight as insight_api
from appraisals.api import my_tasks as my_tasks_api
from appraisals.api import people as people_api
from appraisals.api import plans as plans_api
from appraisals.api import probation as probation_api
from appraisals.views.home import home
from competency import health, metrics, signin
from competency.api.jobs import JobViewSet
from competency.api.urls import api_patterns
from competency.forms import SignInForm
from competency.job_pages import job_detail
from competency.views import healthz
from competency.webhook_api import DeliveryViewSet, WebhookViewSet
from profiles.api import catalogue as catalogue_api
from profiles.api import items as items_api
from profiles.api import profiles as profiles_api
from profiles.api import versions as versions_api

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
    versions_api.VersionViewSet,
    basename="profile-version",
)
router.register(
    rf"profiles/(?P<profile_slug>[-\w]+)/items/(?P<section>{items_api.SECTION_SLUGS})",
    items_api.ItemViewSet,
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
# What waits for the caller (their home page's list).
router.register("me/tasks", my_tasks_api.MyTaskViewSet, basename="my-task")

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
router.register(
    f"{PERSON}/development", development_api.DevelopmentViewSet, basename="person-development"
)
router.register("insight/heatmap", insight_api.HeatmapViewSet, basename="heatmap")
router.register("insight/items", insight_api.ItemSearchViewSet, basename="insight-item")
router.register("insight/people-with", insight_api.PeopleWithViewSet, basename="people-with")
# Background jobs (competency/jobs.py).
router.register("jobs", JobViewSet, basename="job")
# Webhooks (competency/webhooks.py): HR's subscriptions and their deliveries.
router.register("webhooks", WebhookViewSet, basename="webhook")
router.register("webhook-deliveries", DeliveryViewSet, basename="webhook-delivery")


# A 5xx under /api/ is problem details too (competency/api/views.py).
handler500 = "competency.api.views.server_error"

admin.site.site_header = "Competency framework administration"
admin.site.site_title = "Competency framework"
admin.site.index_title = "Frameworks, catalogue and role profiles"

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("jobs/<uuid:pk>/", job_detail, name="job"),
    path(
        "sign-in/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=SignInForm
        ),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    # Your own sign-in: when it ends, and sign out everywhere.
    path("account/", signin.account, name="account"),
    path("profiles/", include("profiles.urls")),
    path("catalogue/", include("competency.catalogue_urls")),
    path("import/", include("profiles.import_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_patterns(router), "api"))),
    path("api/tokens/", include("competency.api.token_urls")),
    path("api/webhooks/", include("competency.webhook_urls")),
    path("", include("appraisals.urls")),
    # Heatmap, find people by skill, readiness (appraisals/insight_urls.py).
    path("", include("appraisals.insight_urls")),
]
