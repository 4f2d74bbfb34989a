"""The mails that hand an appraisal's work to someone, queued in the outbox
(competency/mail.py) in the same transaction as the move.

Who gets which mail is written once, in HANDOFFS: for each move, whom the
appraisal now waits for. Nobody is mailed about their own move. Each mail
says what waits, for whom, by when (the cycle's closing date) and links to
the appraisal's page, which the recipient may open (the person, or the
appraisal's manager). What a mail says is what that page shows them: the
stage, names, the reason kept with a move and the titles of items in
dispute; never a rating, evidence or comment (a manager's unshared ratings
never leave the page they are written on).

A person without an email, or whose email the mail server refused (shown
to HR on their page), gets no mail; the move goes on all the same.

Keys make each mail once per move and recipient: `appraisal-event:<event
id>:<person id>` for a move, `review-comment:<id>:<person id>` for a
disagreement, `cycle-opened:<cycle>:<manager>:<first appraisal>` for
the appraisals an opening gave a manager.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from appraisals.models import AppraisalEvent, Person, Stage
from competency import mail
from competency.pages import path_for_each

Action = AppraisalEvent.Action

TEMPLATE = "mail/appraisals/handoff"
OPENED_TEMPLATE = "mail/appraisals/cycle_opened"


@dataclass(frozen=True)
class Handoff:
    """One kind of hand-off: to whom ("person", "manager" or "other", the
    side that did not move) and what the mail says. `subject` and `what`
    are formatted with person, manager, by (who moved) and cycle;
    `todo` is what the recipient does next."""

    to: str
    subject: str
    what: str
    todo: str


HANDOFFS = {
    Action.STARTED: Handoff(
        to="person",
        subject="Your self-assessment for {cycle} is open",
        what="{by} opened your appraisal in {cycle} for your self-assessment.",
        todo="Rate yourself against each requirement, add your evidence, and submit it to "
        "{manager}.",
    ),
    Action.SUBMITTED: Handoff(
        to="manager",
        subject="{person} submitted their self-assessment",
        what="{person} submitted their self-assessment for {cycle}.",
        todo="Read it, rate each requirement, and share your review with {person}.",
    ),
    Action.SHARED: Handoff(
        to="person",
        subject="{manager} shared your review for {cycle}",
        what="{manager} shared their review of your appraisal in {cycle}.",
        todo="Read it and answer each item: agree, or disagree with a comment.",
    ),
    Action.AGREED: Handoff(
        to="manager",
        subject="{person} agreed to your review: sign it",
        what="{person} agreed to everything in your review for {cycle}.",
        todo="Sign the appraisal; {person} signs it too.",
    ),
    Action.SIGNED: Handoff(
        to="other",
        subject="{by} signed the appraisal: your signature is needed",
        what="{by} signed {person}'s appraisal for {cycle}.",
        todo="Sign it too, and it is signed off.",
    ),
    Action.SENT_BACK: Handoff(
        to="waiting",
        subject="{by} sent the appraisal back to you",
        what="{by} sent {person}'s appraisal for {cycle} back to {stage}.",
        todo="{stage_todo}",
    ),
    Action.REOPENED: Handoff(
        to="manager",
        subject="HR reopened {person}'s appraisal",
        what="HR reopened {person}'s signed-off appraisal for {cycle}, for your review.",
        todo="Change what needs changing and share the review with {person} again.",
    ),
    Action.REASSIGNED: Handoff(
        to="manager",
        subject="You are now the manager of {person}'s appraisal",
        what="HR gave you {person}'s appraisal for {cycle}. It is at {stage}.",
        todo="{stage_todo}",
    ),
}

# What the one the appraisal waits for does at each stage (a move that
# hands it back, or a reassignment, says it).
STAGE_TODO = {
    Stage.DRAFT: "Set it up and open it for self-assessment.",
    Stage.SELF_ASSESSMENT: "Change your self-assessment as the reason says, and submit it again.",
    Stage.MANAGER_REVIEW: "Rate each requirement and share your review.",
    Stage.REVIEW_SHARED: "Reply to the answers, or change what is disputed.",
    Stage.AGREED: "Sign the appraisal.",
}


def moved(appraisal, event):
    """Queue the mail the move recorded by `event` hands to someone, if it
    hands work to anyone. Call inside the move's transaction."""
    handoff = HANDOFFS.get(event.action)
    if handoff is None:
        return 0
    recipient = _recipient(handoff, appraisal, event)
    if recipient is None:
        return 0
    return _queue(
        recipient,
        key=f"appraisal-event:{event.pk}:{recipient.pk}",
        handoff=handoff,
        appraisal=appraisal,
        by=event.by,
        reason=event.reason,
    )


def disagreed(appraisal, comments, by):
    """The person disagreed with some items of the shared review
    (`comments`: the disagreements just written): their manager replies or
    changes them."""
    if not comments:
        return 0
    handoff = Handoff(
        to="manager",
        subject="{person} disagreed with your review",
        what="{person} disagreed with {count} item{plural} of your review for {cycle}.",
        todo="Read their comments, then reply or change what they disagree with.",
    )
    titles = [_item_title(comment.item) for comment in comments]
    return _queue(
        appraisal.manager,
        key=f"review-comment:{comments[0].pk}:{appraisal.manager_id}",
        handoff=handoff,
        appraisal=appraisal,
        by=by,
        items=titles,
        count=len(titles),
        plural="" if len(titles) == 1 else "s",
    )


def cycle_opened(cycle, appraisals):
    """The appraisals an opening created are drafts for their managers to
    set up and open: one mail to each manager naming their people, queued
    in bulk (a fixed number of queries for any number of appraisals).
    `appraisals`: as open_cycle made them (their person loaded)."""
    by_manager = {}
    for appraisal in appraisals:
        by_manager.setdefault(appraisal.manager_id, []).append(appraisal)
    managers = Person.objects.filter(pk__in=list(by_manager)).only(
        "pk", "name", "email", "email_refused"
    )
    due = cycle.closes_on
    page = path_for_each("appraisals:detail")  # 10,000 mails when a cycle opens
    mails = []
    for manager in managers:
        if not _reachable(manager):
            continue
        theirs = sorted(by_manager[manager.pk], key=lambda a: (a.person.name, a.pk))
        count = len(theirs)
        mails.append(
            mail.Mail(
                key=f"cycle-opened:{cycle.pk}:{manager.pk}:{min(a.pk for a in theirs)}",
                to=manager.email,
                subject=(
                    f"{cycle}: {count} appraisal{'s' if count != 1 else ''} to set up by "
                    f"{due:%-d %B %Y}"
                ),
                template=OPENED_TEMPLATE,
                context={
                    "recipient": manager.name,
                    "cycle": str(cycle),
                    "due": due,
                    "appraisals": [
                        {"person": a.person.name, "url": mail.absolute(page(a.pk))} for a in theirs
                    ],
                    "url": mail.absolute(reverse("home")),
                },
            )
        )
    return mail.queue_many(mails)


# --- who, and the mail ---------------------------------------------------------


def _recipient(handoff, appraisal, event):
    """The person the move hands work to, or None (nobody, or the one who
    made the move)."""
    if handoff.to == "person":
        recipient = appraisal.person
    elif handoff.to == "manager":
        recipient = appraisal.manager
    elif handoff.to == "other":
        # A signature: whoever of the two has not signed yet.
        if appraisal.person_signed_at and appraisal.manager_signed_at:
            return None
        recipient = appraisal.manager if appraisal.person_signed_at else appraisal.person
    else:  # "waiting": whoever the stage it went to waits for
        recipient = {
            Stage.DRAFT: appraisal.manager,
            Stage.SELF_ASSESSMENT: appraisal.person,
            Stage.MANAGER_REVIEW: appraisal.manager,
        }.get(event.to_stage)
    if recipient is None or (event.by_id and recipient.account_id == event.by_id):
        return None
    return recipient


def _reachable(person):
    return bool(person.email) and not person.email_refused_now


def _queue(recipient, *, key, handoff, appraisal, by, reason="", items=(), **extra):
    if not _reachable(recipient):
        return 0
    words = {
        "person": appraisal.person.name,
        "manager": appraisal.manager.name,
        "by": _name(by),
        "cycle": str(appraisal.cycle),
        "stage": Stage(appraisal.stage).label.lower(),
        "stage_todo": STAGE_TODO.get(appraisal.stage, ""),
        **extra,
    }
    due = appraisal.cycle.closes_on
    return mail.queue(
        key=key,
        to=recipient.email,
        subject=handoff.subject.format(**words),
        template=TEMPLATE,
        context={
            "recipient": recipient.name,
            "what": handoff.what.format(**words),
            "todo": handoff.todo.format(**words),
            "reason": reason,
            "items": list(items),
            "person": appraisal.person.name,
            "cycle": words["cycle"],
            "due": due,
            "overdue": due < timezone.localdate(),
            "url": mail.absolute(_page(appraisal.pk)),
            "link_text": (
                f"Open your appraisal for {words['cycle']}"
                if recipient.pk == appraisal.person_id
                else f"Open {appraisal.person.name}’s appraisal for {words['cycle']}"
            ),
        },
    )


def _name(user):
    """Who made a move, as the appraisal's page names them."""
    if user is None:
        return "Someone"
    person = Person.objects.filter(account=user).only("name").first()
    return person.name if person else (user.get_full_name() or user.get_username())


def _item_title(item):
    if item.requirement_id:
        return item.requirement.title
    if item.objective_id:
        return f"the objective {item.objective.title}"
    return f"the {item.get_kind_display().lower()}"


def _page(pk):
    return reverse("appraisals:detail", kwargs={"pk": pk})
