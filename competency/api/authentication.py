"""Integrations sign in with `Authorization: Token <token>`.

The token authenticates as its user, so every rule the pages apply to that
person applies to it: a token never has more rights than its person. Only a
hash is stored; an unknown, expired or revoked token is a 401."""

from datetime import timedelta

from django.utils import timezone
from rest_framework import authentication, exceptions

from competency.api.models import ApiToken, token_digest
from competency.roles import Backend

# last_used_at is written at most this often per token, not on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() not in (b"token", b"bearer"):
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the token as 'Authorization: Token <token>', with no spaces in it."
            )
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("That token is not valid.") from None
        token = ApiToken.objects.filter(digest=token_digest(raw)).order_by().first()
        # The person as a session reads them: with whether they hold HR's
        # permission, which every access rule asks (two queries otherwise).
        user = Backend().get_user(token.user_id) if token is not None else None
        # One message for every failure: which tokens exist is nobody's business.
        if token is None or not token.is_live or user is None:
            raise exceptions.AuthenticationFailed(
                "That token is not valid: it is unknown, expired or revoked."
            )
        token.user = user
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return user, token

    def authenticate_header(self, request):
        return self.keyword
