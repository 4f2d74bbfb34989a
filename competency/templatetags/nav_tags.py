"""Which item of the service navigation (base.html) the current page is under.

The menu is the project's wiring, like competency/urls.py: it names pages of
every app, by the URL names that urls.py gives them, never by their paths."""

from django import template

register = template.Library()

# The menu item of each page: a whole URL namespace, or, where one namespace
# holds the pages of several items (appraisals), each page by its full name.
# A page listed nowhere is under no item (an appraisal, which is its
# person's and their managers' alike). "people" is HR's People and a line
# manager's My team: the same pages, each seeing whom they may.
MENU_ITEMS = {
    "home": "home",
    "appraisals:my_check_ins": "home",
    "api_tokens": "tokens",
    "insight": "people",
    "appraisals:check_ins": "people",
    "appraisals:probation": "people",
    "profiles": "profiles",
    "catalogue": "catalogue",
    "imports": "imports",
    "appraisals:people": "people",
    "appraisals:person_create": "people",
    "appraisals:people_import": "people",
    "appraisals:people_template": "people",
    "appraisals:person": "people",
    "appraisals:person_edit": "people",
    "appraisals:person_gaps": "people",
    "appraisals:cycles": "cycles",
    "appraisals:cycle_create": "cycles",
    "appraisals:cycle": "cycles",
    "appraisals:cycle_edit": "cycles",
    "appraisals:cycle_open": "cycles",
    "appraisals:cycle_close": "cycles",
    "appraisals:reassign": "cycles",
}


@register.simple_tag(takes_context=True)
def menu_item(context):
    """The key in MENU_ITEMS of the item the page is under, or "" for none
    (also for a page no URL resolved to, such as a 404)."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    return MENU_ITEMS.get(match.view_name) or MENU_ITEMS.get(match.namespace, "")
