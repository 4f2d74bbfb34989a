"""The security log: who signed in, who failed and was locked out, who was
refused a page, which API tokens were made, used and revoked, and what HR
changed of people, rights and tokens.

Logger `competency.security`, one JSON object per line (settings: its own
handler on standard error, not mixed with the application's log). Each
record is {"time", "level", "event", "outcome", ...}, with, when there is a
request, the client's `address`, its `request_id` (competency.request_id:
X-Request-ID) and the `path`; who acted is `actor` / `actor_id`,
whom it was about `username` / `user_id` (or `person_id`). No password,
token or session key is ever written.

Events are recorded where they happen: Django's sign-in signals and axes'
lockout signal here; sessions, tokens, people and rights where those change
(competency.sessions, competency.api, appraisals)."""

import logging
import re
from functools import cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed
from simple_history.models import HistoricalRecords

from competency import request_id

log = logging.getLogger("competency.security")


def client_address(request):
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXIES proxies
    that each append the address they were sent from to X-Forwarded-For, the
    entry that many places from the right (the one the outermost proxy
    wrote; anything to its left the client may have made up). Axes counts
    failures by this address (settings.AXES_CLIENT_IP_CALLABLE).

    Written here rather than taken from django-ipware, whose proxy count
    counts the proxies listed in the header: with one proxy in front (the
    header holding only the client) it finds no address at all."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "TRUSTED_PROXIES", 0)
    if not proxies:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    # Fewer entries than proxies: the request did not come through them all.
    return hops[-proxies] if len(hops) >= proxies else remote


def _request_id(request):
    """The request's id as every log line carries it (competency.request_id:
    the proxy's X-Request-ID when it is a sane token, or one made for it)."""
    current = request_id.get()
    if current == request_id.NONE:  # outside the middleware (a test's stand-in)
        current = request_id.accept(request.META.get("HTTP_X_REQUEST_ID"))
    return current


def current_request():
    """The request being served, as simple-history's middleware keeps it
    (None in a command or a worker)."""
    return getattr(HistoricalRecords.context, "request", None)


def record(event, *, outcome, request=None, user=None, username=None, level=logging.INFO, **fields):
    """Write one record: `event` (what happened), `outcome` (success,
    failure, refused, locked…), whom it was about (`user`, or just a
    `username` when no account was found), and any other fields. The actor,
    address and request id come from `request` (or the request being
    served)."""
    if not log.isEnabledFor(level):
        return
    request = request if request is not None else current_request()
    data = {"event": event, "outcome": outcome}
    if user is not None:
        data["username"] = user.get_username()
        data["user_id"] = user.pk
    elif username is not None:
        data["username"] = str(username)[:150]
    if request is not None:
        actor = getattr(request, "user", None)
        if actor is not None and actor.is_authenticated:
            data["actor"] = actor.get_username()
            data["actor_id"] = actor.pk
        if hasattr(request, "META"):
            address = client_address(request)
            if address:
                data["address"] = address
            data["request_id"] = _request_id(request)
            if request.method:  # not the stand-in request of a test's force_login
                data["method"] = request.method
                data["path"] = request.path[:500]
        elif request_id.get() != request_id.NONE:
            # A background job's stand-in, which names only who started it
            # (competency.jobs.acting_as): the task's id, as its logs carry.
            data["request_id"] = request_id.get()
    data.update(fields)
    log.log(level, event, extra=data)


# --- Sign-in, sign-out and lockouts (Django's and axes' signals) -----------------------


def _signed_in(sender, request, user, **kwargs):
    record("sign_in", outcome="success", request=request, user=user)


def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        record("sign_out", outcome="success", request=request, user=user)


def _sign_in_failed(sender, credentials, request=None, **kwargs):
    # An attempt refused because of a lockout (axes counted nothing) is
    # written by _locked_out instead.
    counted = getattr(request, "axes_failures_since_start", None)
    if getattr(request, "axes_locked_out", False) and counted is None:
        return
    record(
        "sign_in_failed",
        outcome="failure",
        request=request,
        username=credentials.get("username"),
        failures=counted,
    )


def _locked_out(sender, request, username, ip_address, **kwargs):
    """Axes sends this when a failure reaches the limit (the lockout), and
    for each attempt refused while locked out (which it does not count)."""
    counted = getattr(request, "axes_failures_since_start", None)
    if counted is not None:
        record(
            "sign_in_locked_out",
            outcome="locked",
            request=request,
            username=username,
            failures=counted,
            level=logging.WARNING,
        )
    else:
        record("sign_in_refused", outcome="locked", request=request, username=username)


# --- Refusals ---------------------------------------------------------------------------


@cache
def _refusal_paths():
    return re.compile("|".join(settings.SECURITY_LOG_NOT_FOUND_UNDER))


class LogRefusals:
    """Writes each refusal to the security log: every 403, and a 404 on the
    pages and API of people and appraisals (where a guessed id gets 404:
    someone trying ids is the point of logging them). A 401 from the API is
    logged where the token is read (competency.api.authentication)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        status = response.status_code
        if status == 403 or (status == 404 and _refusal_paths().match(request.path)):
            record(
                "refused",
                outcome="forbidden" if status == 403 else "not_found",
                request=request,
                status=status,
                level=logging.WARNING,
            )
        return response


# --- Rights ----------------------------------------------------------------------------


def _groups_changed(sender, instance, action, pk_set, reverse, **kwargs):
    """Someone's groups changed (the admin, or any code): the groups are
    what give HR's rights (competency.roles)."""
    if action not in ("post_add", "post_remove", "post_clear") or reverse:
        return
    from django.contrib.auth.models import Group

    from competency.roles import HR_PERMISSION

    names = sorted(Group.objects.filter(pk__in=pk_set or ()).values_list("name", flat=True))
    app_label, codename = HR_PERMISSION.split(".")
    record(
        "rights_changed",
        outcome="success",
        user=instance,
        change={"post_add": "added", "post_remove": "removed", "post_clear": "cleared"}[action],
        groups=names,
        hr_groups=sorted(
            Group.objects.filter(
                pk__in=pk_set or (),
                permissions__content_type__app_label=app_label,
                permissions__codename=codename,
            ).values_list("name", flat=True)
        ),
    )


def _permissions_changed(sender, instance, action, pk_set, reverse, **kwargs):
    """Someone's own permissions changed (HR's right may be given directly)."""
    if action not in ("post_add", "post_remove", "post_clear") or reverse:
        return
    from django.contrib.auth.models import Permission

    record(
        "rights_changed",
        outcome="success",
        user=instance,
        change={"post_add": "added", "post_remove": "removed", "post_clear": "cleared"}[action],
        permissions=sorted(
            f"{app}.{codename}"
            for app, codename in Permission.objects.filter(pk__in=pk_set or ()).values_list(
                "content_type__app_label", "codename"
            )
        ),
    )


def connect():
    """Called once, from competency's AppConfig.ready()."""
    from axes.signals import user_locked_out

    user_logged_in.connect(_signed_in, dispatch_uid="security_sign_in")
    user_logged_out.connect(_signed_out, dispatch_uid="security_sign_out")
    user_login_failed.connect(_sign_in_failed, dispatch_uid="security_sign_in_failed")
    user_locked_out.connect(_locked_out, dispatch_uid="security_locked_out")
    m2m_changed.connect(
        _groups_changed,
        sender=get_user_model().groups.through,
        dispatch_uid="security_groups_changed",
    )
    m2m_changed.connect(
        _permissions_changed,
        sender=get_user_model().user_permissions.through,
        dispatch_uid="security_permissions_changed",
    )
