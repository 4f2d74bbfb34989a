"""Integrations sign in with `Authorization: Token <token>`.

The token authenticates as its user, so every rule the pages apply to that
person applies to it: a token never has more rights than its person. Only a
hash is stored; an unknown, expired or revoked token is a 401, and so is
the token of an account that can no longer be used (a leaver's, from their
leaving date: Backend.read_user reads it as nobody)."""

import logging
from datetime import timedelta
from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from rest_framework import authentication, exceptions

from competency import security
from competency.api.models import ApiToken, token_digest
from competency.roles import Backend, user_sql

# last_used_at is written at most this often per token, not on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


# The token's columns read with its person (as `token_<name>`).
_TOKEN_COLUMNS = ("id", "expires_at", "revoked_at", "last_used_at", "scopes")


@cache
def _token_sql():
    quote = connection.ops.quote_name

    def column(name):
        return f"t.{quote(ApiToken._meta.get_field(name).column)}"

    user = quote(get_user_model()._meta.pk.column)
    return user_sql(
        also=", ".join(f"{column(name)} AS token_{name}" for name in _TOKEN_COLUMNS),
        join=f"JOIN {quote(ApiToken._meta.db_table)} t ON {column('user')} = u.{user}",
        where=f"{column('digest')} = %s",
    )


def _token_of(user):
    """The token row read with its person (its other columns load if asked)."""
    read = {name: _converted(name, getattr(user, f"token_{name}")) for name in _TOKEN_COLUMNS}
    read["user_id"] = user.pk
    # from_db takes the values in the model's order of fields.
    names = [field.attname for field in ApiToken._meta.concrete_fields if field.attname in read]
    token = ApiToken.from_db(connection.alias, names, [read[name] for name in names])
    token.user = user
    return token


def _converted(name, value):
    """A column read beside the user's, as the ORM would give it (SQLite
    gives dates as text, which its backend's converters read)."""
    column = ApiToken._meta.get_field(name).get_col(ApiToken._meta.db_table)
    converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
    for convert in converters:
        value = convert(value, column, connection)
    return value


def _log_use(request, user, token, now):
    """A token's first use each day at INFO (last_used_at, kept to the
    minute, says whether it was used today already); every use at DEBUG,
    for an investigation (SECURITY_LOG_LEVEL=DEBUG). Every use at INFO
    would write a line per API request: the access log's job, not this."""
    first_today = token.last_used_at is None or timezone.localdate(
        token.last_used_at
    ) != timezone.localdate(now)
    security.record(
        "api_token_used",
        outcome="success",
        request=request._request,
        user=user,
        token_id=token.pk,
        first_use_today=first_today,
        level=logging.INFO if first_today else logging.DEBUG,
    )


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
        # The token and its person in one query, the person as a session
        # reads them: with whether they hold HR's permission, which every
        # access rule asks.
        user = Backend().read_user(_token_sql(), [token_digest(raw)])
        token = _token_of(user) if user is not None else None
        # One message for every failure: which tokens exist is nobody's business.
        if token is None or not token.is_live:
            security.record(
                "api_token_refused",
                outcome="refused",
                request=request._request,
                user=user,
                token_id=token.pk if token is not None else None,
                level=logging.WARNING,
            )
            raise exceptions.AuthenticationFailed(
                "That token is not valid: it is unknown, expired or revoked, or its account "
                "can no longer be used."
            )
        now = timezone.now()
        _log_use(request, user, token, now)
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return user, token

    def authenticate_header(self, request):
        return self.keyword
