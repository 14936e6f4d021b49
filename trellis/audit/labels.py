"""Readable names for audit-log actions, shared by every page that shows the log."""

from django.utils.translation import gettext_lazy

ACTION_LABELS = {
    "service_center.create": gettext_lazy("Created a service center"),
    "service_center.update": gettext_lazy("Changed a service center"),
    "district.create": gettext_lazy("Created the district"),
    "district.update": gettext_lazy("Changed the district settings"),
    "campus.create": gettext_lazy("Added a campus"),
    "campus.update": gettext_lazy("Changed a campus"),
    "person.create": gettext_lazy("Added a person"),
    "person.update": gettext_lazy("Changed a person's details"),
    "person.deactivate": gettext_lazy("Deactivated a person"),
    "person.reactivate": gettext_lazy("Reactivated a person"),
    "profile.update": gettext_lazy("Changed their own name"),
    "membership.create": gettext_lazy("Gave a role"),
    "membership.end": gettext_lazy("Ended a role"),
    "caseload.assign": gettext_lazy("Assigned a teacher to a coach"),
    "caseload.end": gettext_lazy("Ended a caseload assignment"),
    "grant.create": gettext_lazy("Granted a service center access"),
    "grant.revoke": gettext_lazy("Revoked a service center's access"),
    "coaching_note.create": gettext_lazy("Recorded a coaching note"),
    "coaching_note.update": gettext_lazy("Changed a coaching note"),
    "coaching_note.delete": gettext_lazy("Deleted a coaching note"),
    "coaching_share.create": gettext_lazy("Shared a coaching record"),
    "coaching_share.revoke": gettext_lazy("Stopped sharing a coaching record"),
    "membership.withdraw": gettext_lazy("Withdrew a role that had not started"),
    "framework.import": gettext_lazy("Imported a framework"),
    "framework.reimport": gettext_lazy("Updated a framework from its CASE package"),
    "framework.choose": gettext_lazy("Changed the frameworks in use"),
    "library.choose": gettext_lazy("Changed the action-step libraries in use"),
    "library.copy": gettext_lazy("Copied an action-step library"),
    "action_step.update": gettext_lazy("Changed an action step"),
    "exemplar.add": gettext_lazy("Added an exemplar to an action step"),
    "observation.plan": gettext_lazy("Planned an observation"),
    "observation.update": gettext_lazy("Changed an observation's plan"),
    "observation.start": gettext_lazy("Started an observation"),
    "observation.capture": gettext_lazy("Recorded observation evidence"),
    "observation.finish": gettext_lazy("Finished an observation"),
    "observation.reopen": gettext_lazy("Reopened an observation"),
    "observation.cancel": gettext_lazy("Cancelled an observation"),
    "observation.file_add": gettext_lazy("Attached evidence to an observation"),
    "observation.focus": gettext_lazy("Chose an observation's growth area"),
    "observation.rate": gettext_lazy("Rated an observation"),
    "observation.share": gettext_lazy("Shared an observation with the teacher"),
    "observation.acknowledge": gettext_lazy("Acknowledged an observation"),
    "observation.discuss": gettext_lazy("Marked an observation as discussed"),
    "check_in.record": gettext_lazy("Recorded a check-in"),
    "check_in.cadence": gettext_lazy("Changed a check-in cadence"),
    "read": gettext_lazy("Opened"),
}


def action_label(action: str) -> str:
    """The readable name of an action; unknown ones read as their code, spaced out."""
    return str(ACTION_LABELS.get(action) or action.replace("_", " ").replace(".", ": ").capitalize())
