"""Sessions end when their account closes, when idle or too old, and when
their person is signed out everywhere.

The backend (competency.roles.Backend) reads the user of a session on every
request, and reads a closed account (a leaver's, from their leaving date)
as nobody. Django would then treat the request as signed out but keep the
session; here it ends, so that a session open when the leaving date
arrives is over on its next request, with no job to run on the day, and
the person is told why on the sign-in page they are sent to."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from competency import security

SIGNED_OUT = (
    "You have been signed out: this account can no longer be used (its leaving date has "
    "come, or it has been closed). If you think that is wrong, contact HR."
)


class EndClosedSessions:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Only a session that names an account asks who it is (the query
        # every signed-in page makes anyway, and keeps for the request).
        if SESSION_KEY in request.session and not request.user.is_authenticated:
            request.session.flush()
            messages.warning(request, SIGNED_OUT)
        return self.get_response(request)


# --- Time limits and sign-out everywhere ------------------------------------------------
#
# A session remembers when it signed in, when it was last used (written at
# most once a minute, so that reading pages does not write the session on
# every request) and the generation of its person's sessions it began in
# (competency.models.AccountSessions). API tokens have no session and are
# not affected.

SIGNED_IN_AT = "security_signed_in_at"
SEEN_AT = "security_seen_at"
GENERATION = "security_generation"
SEEN_PRECISION = 60  # seconds

IDLE = (
    "You have been signed out because you had not used the service for {minutes} minutes. "
    "Sign in again to carry on."
)
TOO_LONG = (
    "You have been signed out because you signed in more than {hours} hours ago. "
    "Sign in again to carry on."
)
ENDED = (
    "You have been signed out: all your sessions were ended (signed out everywhere). "
    "Sign in again to carry on."
)


def generation_of(user):
    """The generation of the user's sessions now (0 if never ended)."""
    from competency.models import AccountSessions

    if hasattr(user, "session_generation"):  # read with the user (roles.user_sql)
        return user.session_generation
    row = AccountSessions.objects.filter(user_id=user.pk).values_list("generation", flat=True)
    return next(iter(row), 0)


def _started(sender, request, user, **kwargs):
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[SEEN_AT] = now
    # Asked afresh: the user signing in was read before any sign-out everywhere.
    user.__dict__.pop("session_generation", None)
    request.session[GENERATION] = generation_of(user)


def connect():
    user_logged_in.connect(_started, dispatch_uid="sessions_started")


def end_every_session(*, user, by):
    """End every session of `user`, on every device (the one asking too, if
    it is theirs): the next request of each is signed out. Returns the new
    generation."""
    from competency.models import AccountSessions

    now = timezone.now()
    fields = {"generation": F("generation") + 1, "ended_at": now, "ended_by": by}
    if not AccountSessions.objects.filter(user=user).update(**fields):
        try:
            with transaction.atomic():
                AccountSessions.objects.create(user=user, generation=1, ended_at=now, ended_by=by)
        except IntegrityError:  # made meanwhile by another request: move it on
            AccountSessions.objects.filter(user=user).update(**fields)
    generation = AccountSessions.objects.get(user=user).generation
    security.record(
        "sign_out_everywhere",
        outcome="success",
        user=user,
        by_self=by is not None and by.pk == user.pk,
        generation=generation,
    )
    return generation


class SessionLimits:
    """Ends a session idle for SESSION_IDLE_MINUTES, one signed in more than
    SESSION_MAX_HOURS ago, and one its person (or HR) has signed out
    everywhere since it began. The request goes on as nobody's, so a page
    sends the person to sign in, where they read why; the API answers 401."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if SESSION_KEY in session:
            reason = self._ended(request, session)
            if reason is not None:
                event, message = reason
                user = request.user if request.user.is_authenticated else None
                security.record(
                    "session_ended", outcome="ended", request=request, user=user, reason=event
                )
                session.flush()
                request.user = AnonymousUser()
                messages.warning(request, message)
        return self.get_response(request)

    def _ended(self, request, session):
        now = time.time()
        signed_in_at = session.get(SIGNED_IN_AT)
        seen_at = session.get(SEEN_AT)
        if signed_in_at is None or seen_at is None:
            # A session from before these limits: they count from now.
            session[SIGNED_IN_AT] = session[SEEN_AT] = now
            signed_in_at = seen_at = now
        idle = settings.SESSION_IDLE_MINUTES
        if now - seen_at > idle * 60:
            return "idle", IDLE.format(minutes=idle)
        hours = settings.SESSION_MAX_HOURS
        if now - signed_in_at > hours * 60 * 60:
            return "too_long", TOO_LONG.format(hours=hours)
        user = request.user
        if user.is_authenticated and session.get(GENERATION, 0) != generation_of(user):
            return "signed_out_everywhere", ENDED
        if now - seen_at > SEEN_PRECISION:
            session[SEEN_AT] = now
        return None
