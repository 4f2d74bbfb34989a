"""Integrations' tokens and the answers to idempotent requests."""

import hashlib
import secrets

from django.conf import settings
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
