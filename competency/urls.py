from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from competency.views import healthz

admin.site.site_header = "Competency framework administration"
admin.site.site_title = "Competency framework"
admin.site.index_title = "Frameworks, catalogue and role profiles"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
