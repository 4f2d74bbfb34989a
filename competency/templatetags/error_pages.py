"""What the 400 and 500 pages need to render when the rest of the site may
not: a 500 may come from the static files themselves (a name missing from
collectstatic's manifest)."""

from django import template
from django.conf import settings
from django.templatetags.static import static

register = template.Library()


@register.simple_tag
def static_or_plain(path):
    """The static file's URL, hashed as `{% static %}` gives it; or, if the
    storage cannot give one, the unhashed URL, which WhiteNoise serves too.
    An error page that raises an error shows nothing at all."""
    try:
        return static(path)
    except Exception:
        return f"{settings.STATIC_URL}{path}"
