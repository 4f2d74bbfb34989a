"""Sessions end when their account closes.

The backend (competency.roles.Backend) reads the user of a session on every
request, and reads a closed account (a leaver's, from their leaving date)
as nobody. Django would then treat the request as signed out but keep the
session; here it ends, so that a session open when the leaving date
arrives is over on its next request, with no job to run on the day, and
the person is told why on the sign-in page they are sent to."""

from django.contrib import messages
from django.contrib.auth import SESSION_KEY

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
