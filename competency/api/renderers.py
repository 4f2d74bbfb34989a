"""DRF's browsable API (the HTML pages a browser gets from /api/v1/) under
the site's Content-Security-Policy, which refuses inline styles.

DRF's templates set a few fixed inline `style` attributes (the Filters and
Extra Actions buttons, fieldsets of nested forms). Rather than copy and
change DRF's templates, the browsable API's answers allow exactly those
values by their hashes ('unsafe-hashes' admits a listed hash in a style
attribute, nothing else), read from DRF's own templates so an upgrade that
changes them stays allowed. The Pygments stylesheet DRF would put in an
inline <style> is left out: nothing the API describes is highlighted.
"""

import base64
import hashlib
import re
from pathlib import Path

import rest_framework
from rest_framework import renderers

TEMPLATES = Path(rest_framework.__file__).parent / "templates" / "rest_framework"
# A style attribute whose value is written in the template (not a variable).
STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"{}]*)"')


def style_attribute_hashes(folder=TEMPLATES):
    """The CSP hash source of every fixed style attribute value in `folder`'s
    templates, sorted."""
    values = {
        value
        for template in folder.rglob("*.html")
        for value in STYLE_ATTRIBUTE.findall(template.read_text(encoding="utf-8"))
    }
    return sorted(
        "'sha256-" + base64.b64encode(hashlib.sha256(value.encode()).digest()).decode() + "'"
        for value in values
    )


# What the browsable API's answers add to the policy.
POLICY_UPDATE = {"style-src-attr": ["'unsafe-hashes'", *style_attribute_hashes()]}


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    def get_context(self, data, accepted_media_type, renderer_context):
        context = super().get_context(data, accepted_media_type, renderer_context)
        context["code_style"] = None
        # What django-csp's csp_update decorator sets on a view's answer.
        renderer_context["response"]._csp_update = POLICY_UPDATE
        return context
