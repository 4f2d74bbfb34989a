"""Lockouts after failed sign-ins: the page a locked-out person sees, when
a lockout ends, and HR's unlock.

django-axes counts the failures (settings: by username and, separately, by
address, in the database so that every worker sees the same count) and its
backend refuses a locked-out sign-in before any password is hashed. A
lockout ends AXES_COOLOFF_TIME after the last failure it counted; attempts
while locked out are refused without being counted, so that time holds."""

import logging
from datetime import UTC, datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db.models import Max, Sum
from django.forms.utils import ErrorDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from competency import security
from competency.forms import SignInForm
from competency.sessions import SIGNED_IN_AT, end_every_session

LOCKED = (
    "There have been too many failed attempts to sign in{whom}. For your security, signing "
    "in is paused until {until} ({minutes}). If you have forgotten your password, or did "
    "not make these attempts, contact HR."
)


class Attempts(AxesDatabaseHandler):
    """Axes' database handler (settings.AXES_HANDLER), with a limit of its
    own for an address: a whole office may share one address, and five
    mistyped passwords among its people should not lock all of them out.
    Axes compares the larger of the username's and the address's failures
    with AXES_FAILURE_LIMIT; here the address's count only as much as the
    share of its own limit they have reached."""

    def get_failures(self, request, credentials=None):
        by_username, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        scaled = by_address * settings.AXES_FAILURE_LIMIT // settings.SIGN_IN_ADDRESS_FAILURE_LIMIT
        return max(by_username, scaled)


def _lock_end(attempts, limit):
    """When the failures among `attempts` (within the cool-off) stop
    reaching `limit`: the cool-off after the last of them, or None when
    they do not reach it."""
    cool_off = get_cool_off()
    recent = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    totals = recent.aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    if (totals["failures"] or 0) < limit:
        return None
    return totals["last"] + cool_off


def locked_until(username):
    """When the account `username` may sign in again, or None if it is not
    locked out. (Its address's lockouts are the address's, not its own.)"""
    return _lock_end(AccessAttempt.objects.filter(username=username), settings.AXES_FAILURE_LIMIT)


def _minutes(until):
    minutes = max(1, -(-int((until - timezone.now()).total_seconds()) // 60))
    return f"in {minutes} minute{'s' if minutes != 1 else ''}"


def locked_out_page(request, original_response=None, credentials=None):
    """Axes' lockout response (settings.AXES_LOCKOUT_CALLABLE), for the
    pages' and the admin's sign-in alike: the sign-in page again, saying
    why and until when, with 429 Too Many Requests."""
    username = get_client_username(request, credentials)
    by_name = locked_until(username) if username else None
    by_address = _lock_end(
        AccessAttempt.objects.filter(ip_address=request.axes_ip_address),
        settings.SIGN_IN_ADDRESS_FAILURE_LIMIT,
    )
    until = max((end for end in (by_name, by_address) if end), default=None)
    if until is None:  # the failures expired between the refusal and now
        until = timezone.now() + get_cool_off()
    whom = " to this account" if by_name else " from your network address"
    message = LOCKED.format(
        whom=whom,
        until=timezone.localtime(until).strftime("%H:%M"),
        minutes=_minutes(until),
    )
    # The form as sent (never cleaned, which would try the password), its
    # one error the lockout.
    form = SignInForm(request, data={"username": username or ""})
    form._errors, form.cleaned_data = ErrorDict(), {}
    form.add_error(None, message)
    return render(
        request,
        "registration/login.html",
        {
            "form": form,
            "next": request.POST.get("next") or request.GET.get("next") or "",
            "locked_out": True,
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


def unlock(*, username, by):
    """HR's unlock: forget the failed sign-ins to `username` (from every
    address), so the person may sign in at once. Returns how many records
    of failures were removed."""
    removed = AxesProxyHandler.reset_attempts(username=username)
    security.record(
        "sign_in_unlocked",
        outcome="success",
        username=username,
        removed=removed,
        level=logging.WARNING if removed else logging.INFO,
    )
    return removed


# --- The person's own account page: their session, and sign out everywhere ------------


@never_cache
@login_required
def account(request):
    """Who is signed in, until when at the latest, and a button that ends
    every one of their sessions, on every device (this one too)."""
    if request.method == "POST":
        end_every_session(user=request.user, by=request.user)
        logout(request)
        messages.success(
            request,
            "You have been signed out everywhere: on this device and every other one "
            "where you were signed in.",
        )
        return redirect("login")
    signed_in_at = request.session.get(SIGNED_IN_AT)
    return render(
        request,
        "competency/account.html",
        {
            "signed_in_at": _at(signed_in_at),
            "ends_at": _at(signed_in_at and signed_in_at + settings.SESSION_MAX_HOURS * 3600),
            "idle_minutes": settings.SESSION_IDLE_MINUTES,
        },
    )


def _at(seconds):
    if not seconds:
        return None
    return timezone.localtime(datetime.fromtimestamp(seconds, tz=UTC))
