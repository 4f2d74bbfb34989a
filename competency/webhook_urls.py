from django.urls import path

from competency import webhook_pages

app_name = "api_webhooks"

urlpatterns = [
    path("", webhook_pages.webhook_list, name="list"),
    path("<int:pk>/", webhook_pages.webhook_detail, name="detail"),
    path("<int:pk>/switch/", webhook_pages.switch, name="switch"),
    path("<int:pk>/rotate/", webhook_pages.rotate, name="rotate"),
    path("<int:pk>/delete/", webhook_pages.delete, name="delete"),
    path("deliveries/<uuid:pk>/resend/", webhook_pages.resend, name="resend"),
]
