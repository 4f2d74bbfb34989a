"""The people a choose box suggests as a person types (GOV.UK's accessible
autocomplete, static/app.mjs): JSON for the pages' own script, not the
API. Only people the reader may choose (appraisals.forms.choosable_people),
at most PersonField.LIMIT of them; people who see no one but themselves
(staff) get 404, as the people list gives them."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.views.decorators.http import require_GET

from appraisals.forms import PersonField
from appraisals.models import Person
from competency.roles import is_hr


@require_GET
@login_required
def people_suggestions(request):
    user = request.user
    if not is_hr(user) and not Person.objects.filter(line_manager__account=user).exists():
        raise Http404
    field = PersonField(managers=request.GET.get("managers") == "1").for_user(user)
    response = JsonResponse({"results": field.suggestions(request.GET.get("q", ""))})
    # Names of people: kept by no cache but the reader's own browser.
    response["Cache-Control"] = "private, max-age=60"
    return response
