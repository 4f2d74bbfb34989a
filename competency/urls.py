from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from appraisals.views.home import home
from competency.views import healthz

admin.site.site_header = "Competency framework administration"
admin.site.site_title = "Competency framework"
admin.site.index_title = "Frameworks, catalogue and role profiles"

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("sign-in/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("profiles/", include("profiles.urls")),
    path("catalogue/", include("competency.catalogue_urls")),
    path("import/", include("profiles.import_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("competency.api.urls")),
    path("api/tokens/", include("competency.api.token_urls")),
    path("", include("appraisals.urls")),
    # Heatmap, find people by skill, readiness (appraisals/insight_urls.py).
    path("", include("appraisals.insight_urls")),
]
