"""HR's webhook pages (/api/webhooks/): subscribe a URL to events (its
secret shown on its page), see each webhook's deliveries and their
attempts, resend one, switch a webhook off or delete it. HR only (403 for
others before anything is looked up), as the API (competency/api/webhooks.py)."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from competency import webhooks
from competency.api.models import Webhook, WebhookDelivery
from competency.pages import paginate
from competency.roles import hr_required
from competency.webhook_api import deliveries_of

DELIVERIES_PER_PAGE = 50


class WebhookForm(forms.ModelForm):
    url = forms.URLField(
        label="URL",
        max_length=500,
        assume_scheme="https",
        help_text="Where to POST each event: https:// and a public address.",
    )
    events = forms.MultipleChoiceField(
        label="Events",
        choices=[(name, f"{name}: {meaning}") for name, meaning in webhooks.EVENTS.items()],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Webhook
        fields = ["name", "url"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        webhooks.check_url(url)  # a ValidationError is the field's error
        return url

    def save(self, commit=True):
        self.instance.events = sorted(self.cleaned_data["events"])
        return super().save(commit)


@never_cache
@hr_required
def webhook_list(request):
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.instance.owner = request.user
        form.instance.secret = Webhook.new_secret()
        hook = form.save()
        messages.success(request, f"Webhook ‘{hook.name}’ made. Give its secret to the receiver.")
        return redirect("api_webhooks:detail", pk=hook.pk)
    return render(
        request,
        "competency/webhooks.html",
        {
            "form": form,
            "forms_with_errors": [form] if form.errors else [],
            "hooks": Webhook.objects.all(),
            "events": webhooks.EVENTS,
        },
    )


@never_cache
@hr_required
def webhook_detail(request, pk):
    hook = get_object_or_404(Webhook, pk=pk)
    return render(
        request,
        "competency/webhook.html",
        {
            "hook": hook,
            "old_secret_until": hook.previous_secret_until
            if len(webhooks.signing_secrets(hook)) > 1
            else None,
            **paginate(request, deliveries_of(hook), DELIVERIES_PER_PAGE),
        },
    )


@hr_required
@require_POST
def switch(request, pk):
    hook = get_object_or_404(Webhook, pk=pk)
    hook.is_active = not hook.is_active
    hook.save(update_fields=["is_active"])
    messages.success(request, f"Webhook ‘{hook.name}’ is {'on' if hook.is_active else 'off'}.")
    return redirect("api_webhooks:detail", pk=hook.pk)


@hr_required
@require_POST
def rotate(request, pk):
    hook = webhooks.rotate_secret(get_object_or_404(Webhook, pk=pk))
    overlap = ""
    if hook.previous_secret_until is not None:
        until = timezone.localtime(hook.previous_secret_until)
        overlap = f" Until {until:%-d %b %Y %H:%M} each delivery is signed with the old one too."
    messages.success(
        request, f"Webhook ‘{hook.name}’ has a new secret: give it to the receiver.{overlap}"
    )
    return redirect("api_webhooks:detail", pk=hook.pk)


@hr_required
@require_POST
def delete(request, pk):
    hook = get_object_or_404(Webhook, pk=pk)
    hook.delete()
    messages.success(request, f"Webhook ‘{hook.name}’ deleted, with its deliveries.")
    return redirect("api_webhooks:list")


@hr_required
@require_POST
def resend(request, pk):
    delivery = get_object_or_404(WebhookDelivery, pk=pk)
    webhooks.resend(delivery)
    messages.success(request, "The delivery will be sent again in a moment.")
    return redirect("api_webhooks:detail", pk=delivery.webhook_id)
