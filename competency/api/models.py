"""Integrations' tokens and the answers to idempotent requests."""

import hashlib
import secrets

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

TOKEN_PREFIX = "cfk_"

# What a token may do, by area of the API: each area read, or read and
# write. A token also never has more rights than its person; its scopes
# only take away. Which area each endpoint belongs to is its viewset's
# `api_area` (competency/api/scopes.py checks it on every operation).
AREAS = {
    "profiles": "Role profiles, their versions and the catalogue",
    "people": "People, their reporting lines and records",
    "appraisals": "Appraisals, cycles, plans, check-ins, probation and insight",
}
READ, WRITE = "read", "write"
SCOPES = [f"{area}:{access}" for area in AREAS for access in (READ, WRITE)]
READ_ONLY = [f"{area}:{READ}" for area in AREAS]


def full_scopes():
    """Every scope: a token with all of them has its person's full rights."""
    return list(SCOPES)


def token_digest(raw):
    """What is stored of a token: its SHA-256. Tokens are long and random,
    so a plain hash is enough (no salt or slow hash needed), and a lookup is
    one indexed query."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def live(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiToken(models.Model):
    """A token an integration signs in with. It acts as its user, so it has
    exactly that person's rights and never more. Only its digest is kept:
    the token itself is shown once, when it is made."""

    name = models.CharField(max_length=100, help_text="What uses it, e.g. 'HR system'.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters, so that a person can tell their tokens apart.
    prefix = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # What it may do within its person's rights ("profiles:read", ...). Every
    # scope is the person's full rights; fewer take some away. No default:
    # `issue` says which, so that no token gets full rights by omission.
    scopes = models.JSONField()

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.prefix}…, {self.user})"

    @classmethod
    def issue(cls, *, name, user, expires_at, created_by=None, scopes=None):
        """A new token: (the row, the token itself, to show once). Without
        `scopes`, it has every scope: its person's full rights."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        unknown = set(scopes or ()) - set(SCOPES)
        if unknown:
            raise ValueError(f"Unknown scopes: {', '.join(sorted(unknown))}")
        token = cls.objects.create(
            name=name,
            user=user,
            scopes=full_scopes() if scopes is None else sorted(scopes, key=SCOPES.index),
            digest=token_digest(raw),
            prefix=raw[: len(TOKEN_PREFIX) + 4],
            expires_at=expires_at,
            created_by=created_by,
        )
        return token, raw

    def allows(self, area, access):
        """Whether the token's scopes let it `access` (read or write) `area`;
        write includes read."""
        held = set(self.scopes or ())
        if access == READ:
            return f"{area}:{READ}" in held or f"{area}:{WRITE}" in held
        return f"{area}:{WRITE}" in held

    @property
    def has_full_rights(self):
        return set(self.scopes or ()) >= set(SCOPES)

    @property
    def is_live(self):
        return self.revoked_at is None and self.expires_at > timezone.now()


class IdempotentRequest(models.Model):
    """The first answer to a POST sent with an Idempotency-Key: a retry with
    the same key (by the same person) gets it again and writes nothing."""

    key = models.CharField(max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # What was asked, so that the same key with another request is refused.
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_digest = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True)
    headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once"),
        ]

    def __str__(self):
        return f"{self.method} {self.path} [{self.key}]"


# --- Webhooks (competency/webhooks.py) -----------------------------------------------


class Webhook(models.Model):
    """An integration's subscription: these events, POSTed to this URL,
    signed with this secret. HR make them (their page and the API); the
    secret is needed to sign every delivery, so it is kept as it is (not
    hashed), shown to HR on the webhook's page and in the API's answers."""

    name = models.CharField(max_length=100, help_text="What receives it, e.g. 'HR system'.")
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list)
    secret = models.CharField(max_length=100, editable=False)
    # The secret before the last rotation, which still signs each delivery
    # (beside the new one) until `previous_secret_until`, so the receiver
    # can change its copy within that time (webhooks.rotate_secret).
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_until = models.DateTimeField(null=True, blank=True, editable=False)
    is_active = models.BooleanField(default=True)
    # Whose rights the payloads are limited to: HR's, checked again at each
    # delivery, so a webhook whose owner is no longer HR sends nothing.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhooks"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return f"{self.name} ({self.url})"

    @staticmethod
    def new_secret():
        return "whsec_" + secrets.token_urlsafe(32)


class WebhookEvent(models.Model):
    """Something that happened, written in the same transaction as the
    change itself: rolled back with it, never sent for what did not happen."""

    id = models.UUIDField(primary_key=True, editable=False)
    type = models.CharField(max_length=50)
    # What the event is about ("person:12"), for the receiver to order and
    # de-duplicate by.
    subject = models.CharField(max_length=100)
    payload = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.type} {self.subject}"


class WebhookDelivery(models.Model):
    """One event for one webhook: the outbox row a task sends, retried with
    exponential backoff until it is delivered or has used its attempts."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, editable=False)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A sender's claim: nobody else sends it until then (two tasks for the
    # same delivery, a resend during a retry, send one POST).
    claimed_until = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state="pending"),
                name="webhook_delivery_due",
            ),
            models.Index(fields=["webhook", "-created_at"], name="webhook_delivery_by_hook"),
        ]
        verbose_name_plural = "webhook deliveries"

    def __str__(self):
        return f"{self.event} → {self.webhook} ({self.state})"


class WebhookAttempt(models.Model):
    """One POST of a delivery: what the receiver answered, and how long it took."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    at = models.DateTimeField(default=timezone.now)
    status = models.PositiveSmallIntegerField(null=True, blank=True)  # None: no answer
    duration_ms = models.PositiveIntegerField()
    error = models.CharField(max_length=300, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.delivery_id} {self.status or self.error}"
