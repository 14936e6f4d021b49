"""Writes for the question bank, post-session surveys, After Action Reviews and commitments."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trellis.audit.services import audit_record, snapshot
from trellis.learning import models as m
from trellis.learning.access import may_manage, may_run_session
from trellis.learning.notify import notify
from trellis.learning.services._common import clean_text, deny, district_of
from trellis.orgs.models import OrgKind

MAX_SURVEY_ITEMS = 12
MAX_COMMITMENTS_PER_SESSION = 10
REVIEW_FIELDS = ["planned", "actual", "why_different", "lessons"]


def default_scale_labels() -> list[str]:
    return [_("Strongly disagree"), _("Disagree"), _("Neither agree nor disagree"), _("Agree"), _("Strongly agree")]


# Question bank ------------------------------------------------------------------------------------


def _clean_question(text, kind, guskey_level, scale_labels):
    text = clean_text(text, "text", required=True, max_length=300)
    if kind not in m.QuestionKind.values:
        raise ValidationError({"kind": _("Choose a scale, yes or no, or a short answer.")})
    try:
        level = int(guskey_level)
    except (TypeError, ValueError):
        level = 0
    if level not in m.GuskeyLevel.values:
        raise ValidationError({"guskey_level": _("Choose a Guskey level from 1 to 5.")})
    labels = []
    if kind == m.QuestionKind.SCALE:
        labels = [str(label).strip() for label in (scale_labels or default_scale_labels())]
        if len(labels) != 5 or not all(labels) or any(len(label) > 60 for label in labels):
            raise ValidationError({"scale_labels": _("A scale has five labels (from 1 to 5) of up to 60 characters.")})
    return text, level, labels


def question_create(
    *, actor, owner, text: str, kind: str, guskey_level: int, scale_labels=None, construct: str = ""
) -> m.QuestionBankItem:
    """Add a question to an organization's own bank (service center or district; their admins)."""
    if owner is None or owner.kind not in (OrgKind.DISTRICT, OrgKind.SERVICE_CENTER):
        raise ValidationError({"owner": _("A question belongs to a service center or a district.")})
    if not may_manage(actor, owner.pk):
        deny(_("Only the organization's admins add questions to its bank."))
    text, level, labels = _clean_question(text, kind, guskey_level, scale_labels)
    with transaction.atomic():
        question = m.QuestionBankItem.objects.create(
            owner=owner,
            district_id=district_of(owner),
            text=text,
            kind=kind,
            guskey_level=level,
            scale_labels=labels,
            construct=clean_text(construct, "construct", max_length=80),
        )
        audit_record(
            actor=actor,
            action="learning.question.create",
            obj=question,
            after=snapshot(question, ["text", "kind", "guskey_level"]),
        )
    return question


def question_retire(*, actor, question: m.QuestionBankItem) -> m.QuestionBankItem:
    """Take a question out of use; surveys that used it keep their copy."""
    if question.owner_id is None:
        raise ValidationError(_("The starter questions ship with Trellis; leave them out of your surveys instead."))
    if not may_manage(actor, question.owner_id):
        deny(_("Only the organization's admins change its bank."))
    with transaction.atomic():
        question.is_active = False
        question.save(update_fields=["is_active"])
        audit_record(actor=actor, action="learning.question.retire", obj=question, after={"is_active": False})
    return question


# Surveys ----------------------------------------------------------------------------------------


def survey_create(*, actor, session: m.Session, questions, intro: str = "") -> m.Survey:
    """Build the session's survey from bank questions (in the order given; at most 12).

    Questions come from the starter bank or the bank of the organization running the
    session. Scale and yes/no questions are required, short answers optional. People who
    have already checked in are told the survey is waiting.
    """
    if not may_run_session(actor, session):
        deny(_("Only the session's facilitators and managers build its survey."))
    questions = list(dict.fromkeys(questions or []))
    if not questions:
        raise ValidationError({"questions": _("Choose at least one question.")})
    if len(questions) > MAX_SURVEY_ITEMS:
        raise ValidationError({"questions": _("Keep it short: at most %(n)s questions.") % {"n": MAX_SURVEY_ITEMS}})
    wrong = [q.text for q in questions if q.owner_id not in (None, session.owner_id) or not q.is_active]
    if wrong:
        raise ValidationError(
            {"questions": _("Choose questions from your bank (not: %(q)s).") % {"q": "; ".join(wrong)}}
        )
    intro = clean_text(intro, "intro", max_length=500)
    try:
        with transaction.atomic():
            survey = m.Survey.objects.create(
                session=session,
                owner_id=session.owner_id,
                district_id=session.district_id,
                intro=intro,
                created_by=actor,
            )
            m.SurveyItem.objects.bulk_create(
                m.SurveyItem(
                    survey=survey,
                    district_id=session.district_id,
                    position=position,
                    bank_item=q,
                    text=q.text,
                    kind=q.kind,
                    scale_labels=q.scale_labels,
                    guskey_level=q.guskey_level,
                    required=q.kind != m.QuestionKind.TEXT,
                )
                for position, q in enumerate(questions, start=1)
            )
            attendees = session.registrations.filter(checked_in_at__isnull=False).select_related("participant")
            for registration in attendees:
                notify(
                    registration.participant,
                    _("How did %(title)s go? A short survey is waiting.") % {"title": session.title},
                    "survey",
                    survey.pk,
                )
            audit_record(
                actor=actor,
                action="learning.survey.create",
                obj=survey,
                after={"items": [q.pk for q in questions]},
            )
    except IntegrityError:
        raise ValidationError(_("This session already has a survey.")) from None
    return survey


def _set_open(actor, survey, is_open: bool) -> m.Survey:
    if not may_run_session(actor, survey.session):
        deny(_("Only the session's facilitators and managers open or close its survey."))
    with transaction.atomic():
        survey.is_open = is_open
        survey.save(update_fields=["is_open"])
        audit_record(
            actor=actor,
            action=f"learning.survey.{'reopen' if is_open else 'close'}",
            obj=survey,
            after={"is_open": is_open},
        )
    return survey


def survey_close(*, actor, survey: m.Survey) -> m.Survey:
    return _set_open(actor, survey, False)


def survey_reopen(*, actor, survey: m.Survey) -> m.Survey:
    return _set_open(actor, survey, True)


_YES = {1, "1", "yes", "y", "true", "on"}  # True == 1
_NO = {0, "0", "no", "n", "false", "off"}  # False == 0


def _answer(item: m.SurveyItem, value) -> tuple[int | None, str]:
    """(number, text) for one answer; raises ValidationError naming the item's field."""
    key = f"item_{item.pk}"
    empty = value is None or (isinstance(value, str) and not value.strip())
    if empty:
        if item.required:
            raise ValidationError({key: _("Answer this question.")})
        return None, ""
    if item.kind == m.QuestionKind.SCALE:
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if not 1 <= number <= 5:
            raise ValidationError({key: _("Choose a number from 1 to 5.")})
        return number, ""
    if item.kind == m.QuestionKind.YES_NO:
        normal = value.strip().lower() if isinstance(value, str) else value
        if normal in _YES:
            return 1, ""
        if normal in _NO:
            return 0, ""
        raise ValidationError({key: _("Answer yes or no.")})
    text = str(value).strip()
    if len(text) > 2000:
        raise ValidationError({key: _("Use at most 2,000 characters.")})
    return None, text


def survey_respond(*, actor, survey: m.Survey, answers: dict) -> m.SurveyResponse:
    """Answer a session's survey, once, as someone who attended.

    ``answers`` maps item ids (ints, or form field names ``item_<id>``) to values: 1-5
    for a scale, yes/no (or True/False) for yes-or-no, text for a short answer. Errors
    name the field ``item_<id>``; all of them are reported together.
    """
    if not survey.is_open:
        raise ValidationError(_("This survey is closed."))
    attended = m.Registration.objects.filter(
        session_id=survey.session_id, participant=actor, checked_in_at__isnull=False
    ).exists()
    if not attended:
        raise ValidationError(_("Only people who attended this session answer its survey."))
    given = {}
    for key, value in (answers or {}).items():
        raw = str(key).removeprefix("item_")
        if not raw.isdigit():
            raise ValidationError({"answers": _("Unknown question: %(key)s.") % {"key": key}})
        given[int(raw)] = value
    items = list(survey.items.all())
    unknown = set(given) - {item.pk for item in items}
    if unknown:
        raise ValidationError(
            {"answers": _("These questions are not part of this survey: %(ids)s.") % {"ids": sorted(unknown)}}
        )
    errors, rows = {}, []
    for item in items:
        try:
            rows.append((item, *_answer(item, given.get(item.pk))))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            response = m.SurveyResponse.objects.create(survey=survey, respondent=actor, district_id=actor.district_id)
            m.SurveyAnswer.objects.bulk_create(
                m.SurveyAnswer(response=response, item=item, district_id=actor.district_id, number=number, text=text)
                for item, number, text in rows
                if number is not None or text
            )
            audit_record(actor=actor, action="learning.survey.respond", obj=response, after={"answers": len(rows)})
    except IntegrityError:
        raise ValidationError(_("You have already answered this survey.")) from None
    return response


# After Action Reviews ---------------------------------------------------------------------------


def review_start(*, actor, session: m.Session) -> m.ActionReview:
    """Open the session's After Action Review, its first question pre-filled from the session's objectives.

    Returns the existing review when there is one.
    """
    if not may_run_session(actor, session):
        deny(_("Only the session's facilitators and managers review it."))
    existing = m.ActionReview.objects.filter(session=session).first()
    if existing:
        return existing
    planned = "\n".join(f"- {objective}" for objective in session.objective_list)
    try:
        with transaction.atomic():
            review = m.ActionReview.objects.create(
                session=session,
                owner_id=session.owner_id,
                district_id=session.district_id,
                planned=planned,
                created_by=actor,
                updated_by=actor,
            )
            audit_record(actor=actor, action="learning.review.start", obj=review, after={"session": session.pk})
    except IntegrityError:  # started by a colleague a moment ago
        return m.ActionReview.objects.get(session=session)
    return review


def review_update(*, actor, review: m.ActionReview, **fields) -> m.ActionReview:
    """Write the four answers: ``planned``, ``actual``, ``why_different``, ``lessons`` (what, not who)."""
    unknown = set(fields) - set(REVIEW_FIELDS)
    if unknown:
        raise ValueError(f"Not a review field: {sorted(unknown)}")
    if not may_run_session(actor, review.session):
        deny(_("Only the session's facilitators and managers review it."))
    with transaction.atomic():
        locked = m.ActionReview.objects.select_for_update().get(pk=review.pk)
        before = snapshot(locked, list(fields))
        for key, value in fields.items():
            setattr(locked, key, clean_text(value, key, max_length=5000))
        locked.updated_by = actor
        locked.save()
        audit_record(
            actor=actor,
            action="learning.review.update",
            obj=locked,
            before=before,
            after=snapshot(locked, list(fields)),
        )
    return locked


def review_point_add(
    *,
    actor,
    review: m.ActionReview,
    kind: str,
    text: str,
    responsible=None,
    responsible_name: str = "",
    due_on: datetime.date | None = None,
) -> m.ReviewPoint:
    """Add something to sustain or improve, with who takes it on (a person or a name) and by when."""
    if not may_run_session(actor, review.session):
        deny(_("Only the session's facilitators and managers review it."))
    if kind not in m.ReviewPointKind.values:
        raise ValidationError({"kind": _("Choose sustain or improve.")})
    text = clean_text(text, "text", required=True, max_length=500)
    if responsible is not None and not may_run_session(responsible, review.session):
        raise ValidationError(
            {"responsible": _("Choose one of the session's facilitators or managers, or type a name.")}
        )
    if due_on is not None and not isinstance(due_on, datetime.date):
        raise ValidationError({"due_on": _("Enter a date.")})
    with transaction.atomic():
        point = m.ReviewPoint.objects.create(
            review=review,
            district_id=review.district_id,
            kind=kind,
            text=text,
            responsible=responsible,
            responsible_name=clean_text(responsible_name, "responsible_name", max_length=150),
            due_on=due_on,
            position=review.points.filter(kind=kind).count(),
        )
        audit_record(
            actor=actor, action="learning.review.point_add", obj=point, after=snapshot(point, ["kind", "text"])
        )
    return point


def review_point_remove(*, actor, point: m.ReviewPoint) -> None:
    if not may_run_session(actor, point.review.session):
        deny(_("Only the session's facilitators and managers review it."))
    with transaction.atomic():
        audit_record(actor=actor, action="learning.review.point_remove", obj=point, before=snapshot(point, ["text"]))
        point.delete()


# Commitments ------------------------------------------------------------------------------------


def commitment_create(
    *, actor, session: m.Session, text: str, due_on: datetime.date | None = None, shared: bool = False
) -> m.Commitment:
    """A participant writes what they will try back on campus (they hold a seat in the session)."""
    holds_seat = m.Registration.objects.filter(
        session=session, participant=actor, status=m.RegistrationStatus.CONFIRMED
    ).exists()
    if not holds_seat:
        raise ValidationError(_("Commitments are written by the session's participants."))
    text = clean_text(text, "text", required=True, max_length=1000)
    if due_on is not None and not isinstance(due_on, datetime.date):
        raise ValidationError({"due_on": _("Enter a date.")})
    with transaction.atomic():
        if m.Commitment.objects.filter(session=session, participant=actor).count() >= MAX_COMMITMENTS_PER_SESSION:
            raise ValidationError(
                _("You have %(n)s commitments for this session; finish or remove one first.")
                % {"n": MAX_COMMITMENTS_PER_SESSION}
            )
        commitment = m.Commitment.objects.create(
            participant=actor, district_id=actor.district_id, session=session, text=text, due_on=due_on, shared=shared
        )
        audit_record(
            actor=actor,
            action="learning.commitment.create",
            obj=commitment,
            after=snapshot(commitment, ["text", "shared"]),
        )
    return commitment


_UNSET = object()


def commitment_update(
    *, actor, commitment: m.Commitment, text=None, due_on=_UNSET, shared: bool | None = None, done: bool | None = None
) -> m.Commitment:
    """The participant edits their commitment, shares it with the facilitators (or stops), or marks it done."""
    if commitment.participant_id != actor.pk:
        deny(_("Only the person who wrote a commitment changes it."))
    fields = ["text", "due_on", "shared", "done_at"]
    with transaction.atomic():
        locked = m.Commitment.objects.select_for_update().get(pk=commitment.pk)
        before = snapshot(locked, fields)
        if text is not None:
            locked.text = clean_text(text, "text", required=True, max_length=1000)
        if due_on is not _UNSET:
            if due_on is not None and not isinstance(due_on, datetime.date):
                raise ValidationError({"due_on": _("Enter a date.")})
            locked.due_on = due_on
        if shared is not None:
            locked.shared = bool(shared)
        if done is not None:
            locked.done_at = (locked.done_at or timezone.now()) if done else None
        locked.save()
        audit_record(
            actor=actor, action="learning.commitment.update", obj=locked, before=before, after=snapshot(locked, fields)
        )
    return locked


def commitment_delete(*, actor, commitment: m.Commitment) -> None:
    if commitment.participant_id != actor.pk:
        deny(_("Only the person who wrote a commitment removes it."))
    with transaction.atomic():
        audit_record(
            actor=actor, action="learning.commitment.delete", obj=commitment, before={"session": commitment.session_id}
        )
        commitment.delete()
