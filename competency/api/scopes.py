"""Tokens' scopes, checked on every operation of the API.

Each viewset says which area of the API it belongs to (`api_area`, one of
competency.api.models.AREAS); a safe method reads the area, any other
writes it. The base viewsets (competency.api.views) put TokenScope before
whatever permissions a viewset or action names, so no endpoint can leave
it out, and a viewset that names no area is refused to every token (its
author forgot; a session still reaches it). A token also keeps to its
person's rights: the scope only takes away (the viewset's own permissions
and querysets still decide as for the person)."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from competency.api.models import AREAS, READ, WRITE, ApiToken

# For a view that answers any token whatever its scopes (a background job
# the caller started: its own permissions decide).
ANY_AREA = "any"
# For a view whose rows span every area (webhooks: their events tell of
# profiles, people and appraisals): a token needs the scope of each.
EVERY_AREA = "every"


def area_of(view):
    """The area a view declares, or None."""
    area = getattr(view, "api_area", None)
    if area in (ANY_AREA, EVERY_AREA) or area in AREAS:
        return area
    return None


def scopes_needed(view, method):
    """The scopes an operation needs, e.g. ["profiles:write"]; none when the
    view declares no area (refused to tokens) or answers any token."""
    area = area_of(view)
    if area is None or area == ANY_AREA:
        return []
    access = READ if method.upper() in SAFE_METHODS else WRITE
    areas = sorted(AREAS) if area == EVERY_AREA else [area]
    return [f"{each}:{access}" for each in areas]


class TokenScope(BasePermission):
    message = "This token's scopes do not allow it."

    def has_permission(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken):
            # A session, or nobody (the view's own permissions answer 401).
            return True
        if area_of(view) is None:
            self.message = "This endpoint takes no token: it declares no area of the API."
            return False
        # What the schema says the operation needs (none: any token).
        needed = scopes_needed(view, request.method)
        return all(token.allows(*scope.split(":")) for scope in needed)
