"""Certificates of completion: issued from attendance, snapshotted, verifiable, revocable.

A participant completes a cohort when the minutes they attended in its sessions that
have taken place reach the program's ``completion_percent`` of those sessions' contact
minutes. The certificate freezes the name, program, dates, minutes and the credit
(hours and CEUs by the participant's district's rule) as they are at issue time.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trellis.audit.services import audit_record, snapshot
from trellis.learning import models as m
from trellis.learning.access import may_manage, may_run_cohort
from trellis.learning.credits import credit_for, policies_for, policy_for
from trellis.learning.notify import notify
from trellis.learning.selectors import Completion, cohort_completion
from trellis.learning.services._common import clean_text, deny


def _check_issuer(actor, cohort) -> None:
    if not may_run_cohort(actor, cohort):
        deny(_("Only the cohort's facilitators and the program's managers issue certificates."))


def _issue(actor, cohort, participant, done: Completion, policy, sponsor_number: str) -> m.Certificate:
    credit = credit_for(done.attended_minutes, policy)
    try:
        with transaction.atomic():
            certificate = m.Certificate.objects.create(
                participant=participant,
                district_id=participant.district_id,
                cohort=cohort,
                participant_name=participant.full_name or participant.display_name,
                program_title=cohort.program.title,
                cohort_name=cohort.name,
                provider_name=cohort.owner.name,
                sponsor_number=sponsor_number,
                first_day=done.first_day,
                last_day=done.last_day,
                sessions_attended=done.sessions_attended,
                minutes=credit.minutes,
                clock_hours=credit.hours,
                credit_label=credit.label,
                ceus=credit.ceus,
                issued_by=actor,
            )
    except IntegrityError:
        raise ValidationError(
            {
                "participant": _("%(name)s already has a certificate for this cohort.")
                % {"name": participant.display_name}
            }
        ) from None
    notify(
        participant,
        _("Your certificate of completion for %(program)s is ready.") % {"program": cohort.program.title},
        "certificate",
        certificate.pk,
    )
    return certificate


def _not_complete(participant, done: Completion) -> ValidationError:
    if done.total_minutes == 0:
        return ValidationError(_("None of this cohort's sessions has taken place yet."))
    return ValidationError(
        {
            "participant": _("%(name)s attended %(attended)s of %(total)s minutes; the certificate needs %(required)s.")
            % {
                "name": participant.display_name,
                "attended": done.attended_minutes,
                "total": done.total_minutes,
                "required": done.required_minutes,
            }
        }
    )


def certificate_issue(*, actor, cohort: m.Cohort, participant) -> m.Certificate:
    """Issue ``participant``'s certificate for ``cohort`` (facilitators of the cohort and its managers).

    Raises ``ValidationError`` when they have not attended enough or already hold a valid one.
    """
    _check_issuer(actor, cohort)
    done = cohort_completion(cohort, [participant.pk])[participant.pk]
    if not done.eligible:
        raise _not_complete(participant, done)
    with transaction.atomic():
        certificate = _issue(
            actor,
            cohort,
            participant,
            done,
            policy_for(participant.district_id),
            policy_for(cohort.owner_id).sponsor_number,
        )
        audit_record(
            actor=actor,
            action="learning.certificate.issue",
            obj=certificate,
            after=snapshot(certificate, ["participant", "cohort", "minutes", "clock_hours", "ceus"]),
        )
    return certificate


def certificate_issue_all(*, actor, cohort: m.Cohort) -> list[m.Certificate]:
    """Issue certificates to everyone who completed the cohort and has none yet. Returns the new ones."""
    _check_issuer(actor, cohort)
    from django.contrib.auth import get_user_model

    holders = cohort.certificates.filter(revoked_at__isnull=True).values("participant_id")
    attendees = (
        m.Registration.objects.filter(session__cohort=cohort, checked_in_at__isnull=False)
        .exclude(participant_id__in=holders)
        .values_list("participant_id", flat=True)
        .distinct()
    )
    completion = cohort_completion(cohort, list(attendees))
    eligible = [pk for pk, done in completion.items() if done.eligible]
    people = get_user_model().objects.filter(pk__in=eligible).order_by("full_name", "pk")
    policies = policies_for({p.district_id for p in people})
    sponsor_number = policy_for(cohort.owner_id).sponsor_number
    with transaction.atomic():
        issued = [
            _issue(actor, cohort, person, completion[person.pk], policies[person.district_id], sponsor_number)
            for person in people
        ]
        audit_record(
            actor=actor,
            action="learning.certificate.issue_all",
            obj=cohort,
            after={"issued": [c.participant_id for c in issued]},
        )
    return issued


def certificate_revoke(*, actor, certificate: m.Certificate, reason: str) -> m.Certificate:
    """Revoke a certificate (program managers). The verification page then says it is revoked, and why."""
    if not may_manage(actor, certificate.cohort.owner_id):
        deny(_("Only the program's managers revoke certificates."))
    reason = clean_text(reason, "reason", required=True, max_length=300)
    with transaction.atomic():
        locked = m.Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.revoked_at:
            raise ValidationError(_("This certificate is already revoked."))
        locked.revoked_at, locked.revoked_by, locked.revoke_reason = timezone.now(), actor, reason
        locked.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        audit_record(
            actor=actor,
            action="learning.certificate.revoke",
            obj=locked,
            before={"revoked_at": None},
            after=snapshot(locked, ["revoked_at", "revoke_reason"]),
        )
    return locked
