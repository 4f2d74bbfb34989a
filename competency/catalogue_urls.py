from django.urls import path

from competency import views

app_name = "catalogue"

urlpatterns = [
    path("", views.catalogue_index, name="index"),
]
