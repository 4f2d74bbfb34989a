from django.urls import path, register_converter

from competency import views
from competency.catalogue import COMPONENT_KINDS

app_name = "catalogue"


class ComponentKindConverter:
    """Only the kinds of the component library match, so any other word is a
    404 from the resolver and a typo in reverse() fails loudly."""

    regex = "|".join(COMPONENT_KINDS)

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ComponentKindConverter, "component_kind")

urlpatterns = [
    path("", views.catalogue_index, name="index"),
    path("frameworks/<slug:slug>/", views.framework_detail, name="framework"),
    path("skills/<int:pk>/", views.skill_detail, name="skill"),
    path("<component_kind:kind>/", views.component_list, name="components"),
    path("<component_kind:kind>/<int:pk>/", views.component_detail, name="component"),
    path(
        "<component_kind:kind>/<int:pk>/develops/",
        views.change_developed,
        name="change_developed",
    ),
]
