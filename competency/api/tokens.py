"""HR's page of integrations' tokens: make one (shown once), revoke one, see
when each was last used. HR only, as HR's other pages (403 for others)."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from competency import security
from competency.api.models import AREAS, SCOPES, ApiToken
from competency.roles import hr_required


def scope_label(scope):
    """ "profiles:read" as "Role profiles, their versions …: read"."""
    area, access = scope.split(":")
    return f"{AREAS[area]}: {access}"


LIFETIMES = [(30, "30 days"), (90, "90 days"), (180, "180 days"), (365, "1 year")]


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=100, help_text="What will use it, for example ‘HR system’."
    )
    user = forms.ModelChoiceField(
        label="Acts as",
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        help_text="The token has exactly this person's rights, never more.",
        empty_label="Choose a person",
    )
    days = forms.TypedChoiceField(label="Expires after", choices=LIFETIMES, coerce=int, initial=90)
    scopes = forms.MultipleChoiceField(
        label="What it may do",
        choices=[(scope, scope_label(scope)) for scope in SCOPES],
        initial=SCOPES,
        widget=forms.CheckboxSelectMultiple,
        help_text="All ticked: the person's full rights. Untick what the integration does not "
        "need: a learning platform that only reads profiles needs ‘Role profiles: read’ alone. "
        "Write includes read. It never has more than the person's own rights.",
        error_messages={"required": "Tick at least one thing the token may do."},
    )


@never_cache
@hr_required
def token_list(request):
    form = TokenForm(request.POST or None)
    shown = None
    if request.method == "POST" and form.is_valid():
        token, shown = ApiToken.issue(
            name=form.cleaned_data["name"],
            user=form.cleaned_data["user"],
            expires_at=timezone.now() + timedelta(days=form.cleaned_data["days"]),
            created_by=request.user,
            scopes=form.cleaned_data["scopes"],
        )
        security.record(
            "api_token_created",
            outcome="success",
            request=request,
            user=token.user,
            token_id=token.pk,
            token_name=token.name,
            token_prefix=token.prefix,
            expires_at=token.expires_at.isoformat(),
            scopes=token.scopes,
        )
        form = TokenForm()
    tokens = ApiToken.objects.select_related("user", "created_by")
    return render(
        request,
        "competency/api_tokens.html",
        {
            "form": form,
            "forms_with_errors": [form] if form.errors else [],
            "tokens": tokens,
            # The token itself, this once: only its hash is kept.
            "new_token": shown,
            "now": timezone.now(),
        },
    )


@hr_required
@require_POST
def revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk)
    if token.revoked_at is None:
        ApiToken.objects.filter(pk=pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        security.record(
            "api_token_revoked",
            outcome="success",
            request=request,
            user=token.user,
            token_id=token.pk,
            token_name=token.name,
            token_prefix=token.prefix,
        )
        messages.success(request, f"Token ‘{token.name}’ revoked: it no longer signs in.")
    return redirect("api_tokens:list")
