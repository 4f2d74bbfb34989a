"""The rows of the home page's team tables, written in Python: a head of
department's page draws 50 or more of them, each with its open appraisals,
and as an included template with {% url %} and |date in every row they were
a third of the page's time. Every text from the database is escaped."""

from html import escape

from django import template
from django.template.defaultfilters import pluralize
from django.utils.dateformat import format as format_date
from django.utils.safestring import mark_safe

from competency.pages import path_for_each

register = template.Library()

DATE = "j M Y"


class _Shared:
    """What every row of one page's tables shares, made once per render
    (kept in its render_context): each route reversed once, and each date
    formatted once (a page's appraisals share a few cycles' closing dates)."""

    def __init__(self):
        self.detail = path_for_each("appraisals:detail")
        self.person = path_for_each("appraisals:person")
        self.probation = path_for_each("appraisals:probation")
        self._dates = {}

    def when(self, day):
        if day not in self._dates:
            self._dates[day] = format_date(day, DATE)
        return self._dates[day]


OVERDUE = '<strong class="govuk-tag govuk-tag--red">Overdue</strong>'


def _appraisal(shared, appraisal, name):
    overdue = f" {OVERDUE}" if getattr(appraisal, "overdue", False) else ""
    link = shared.detail(appraisal.pk)
    return (
        f'\n        <li><a class="govuk-link" href="{link}">'
        f"{escape(appraisal.cycle.name)}"
        f'<span class="govuk-visually-hidden">: {name}\'s appraisal</span></a>: '
        f"{escape(appraisal.get_stage_display().lower())}, "
        f"due&nbsp;{shared.when(appraisal.cycle.closes_on)}{overdue}</li>"
    )


def _checkpoints(shared, member, name):
    lines = [
        f"{OVERDUE} {checkpoint.months}-month, {shared.when(checkpoint.due_on)}<br>"
        for checkpoint in member.checkpoints_overdue
    ]
    lines += [
        f"{checkpoint.months}-month due {shared.when(checkpoint.due_on)}<br>"
        for checkpoint in member.checkpoints_due
    ]
    if not lines:
        return "–"
    link = shared.probation(member.person.pk)
    return "".join(lines) + (
        f'<a class="govuk-link" href="{link}">Probation'
        f'<span class="govuk-visually-hidden">: {name}</span></a>'
    )


def _overdue_work(member):
    lines = []
    if member.overdue_appraisals:
        n = member.overdue_appraisals
        whose = escape(pluralize(n, "its cycle's,their cycles'"))
        lines.append(f"{n} appraisal{pluralize(n)} past {whose} end")
    for n, what in (
        (member.overdue_objectives, "objective"),
        (member.overdue_actions, "plan action"),
        (len(member.checkpoints_overdue), "probation checkpoint"),
    ):
        if n:
            lines.append(f"{n} {what}{pluralize(n)}")
    return "".join(f"{line}<br>" for line in lines) or "None"


@register.simple_tag(takes_context=True)
def team_row(context, member, manager):
    """One row of the team tables: `member` (progress.TeamMember) on the
    page of `manager` (a Person). Their open appraisals, soonest due first,
    each with its cycle, stage and due date; their probation checkpoints;
    what of theirs is overdue."""
    shared = context.render_context.get(_Shared)
    if shared is None:
        shared = context.render_context[_Shared] = _Shared()
    person = member.person
    name = escape(person.name)
    reports_to = (
        f'<br><span class="govuk-body-s">reports to {escape(person.line_manager.name)}</span>'
        if person.line_manager_id != manager.pk
        else ""
    )
    if member.appraisals:
        items = "".join(_appraisal(shared, appraisal, name) for appraisal in member.appraisals)
        appraisals = f'<ul class="govuk-list govuk-!-margin-bottom-0">{items}\n      </ul>'
    else:
        appraisals = "No open appraisal"
    return mark_safe(
        '<tr class="govuk-table__row">\n'
        '      <th scope="row" class="govuk-table__header"><a class="govuk-link" '
        f'href="{shared.person(person.pk)}">{name}</a>{reports_to}</th>\n'
        f'      <td class="govuk-table__cell">{appraisals}</td>\n'
        f'      <td class="govuk-table__cell">{_checkpoints(shared, member, name)}</td>\n'
        f'      <td class="govuk-table__cell">{_overdue_work(member)}</td>\n'
        "    </tr>"
    )
