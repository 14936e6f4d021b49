"""Coaching notes: the coaching firewall, as pages.

Every note is fetched through ``trellis.coaching.access`` (404 when the reader may
not see it, so its existence is not confirmed) and every write goes through
``trellis.coaching.services``. Opening a note's full content records a read in
the audit log.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from trellis.audit.services import audit_read
from trellis.coaching import selectors
from trellis.coaching.access import access_note, access_share
from trellis.coaching.forms import NoteForm, ShareForm, TeacherFilterForm
from trellis.coaching.models import CoachingNote
from trellis.coaching.services import leaders_of, note_create, note_delete, note_update, share_create, share_revoke
from trellis.lib.pagination import paginate, query_string_without_page
from trellis.lib.rules import fetch
from trellis.orgs.access import coached_teachers
from trellis.orgs.roles import roles_of

User = get_user_model()


def _add_service_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _require_coach(user):
    roles = roles_of(user)
    if not (roles.is_coach or roles.is_facilitator):
        raise PermissionDenied


def _access_coached_teacher(user, pk):
    """A teacher on ``user``'s current caseload; 404 for anyone else, so no one is confirmed to exist."""
    queryset = User.objects.filter(pk__in=coached_teachers(user))
    return fetch(User, user, pk, queryset=queryset)


@login_required
def note_list(request):
    roles = roles_of(request.user)
    if not (roles.is_teacher or roles.is_coach or roles.is_facilitator or roles.is_campus_leader):
        raise PermissionDenied
    filter_form = None
    teacher = None
    if roles.is_coach or roles.is_facilitator:
        filter_form = TeacherFilterForm(request.GET or None, teachers=selectors.caseload_teachers(request.user))
        if filter_form.is_valid():
            teacher = filter_form.cleaned_data["teacher"]
    notes = selectors.readable_notes(request.user, teacher=teacher)
    if filter_form is not None and filter_form.is_bound and not filter_form.is_valid():
        # An unknown teacher id shows the error and no notes, never someone else's notes.
        notes = notes.none()
    page_obj = paginate(request, notes)
    return render(
        request,
        "coaching/note_list.html",
        {
            "page_obj": page_obj,
            "notes": page_obj.object_list,
            "query_string": query_string_without_page(request),
            "filter_form": filter_form,
            "teacher": teacher,
            "show_sharing": roles.is_teacher,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def note_create_view(request, teacher_pk):
    _require_coach(request.user)
    teacher = _access_coached_teacher(request.user, teacher_pk)
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            note = note_create(actor=request.user, teacher=teacher, **form.cleaned_data)
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, _("The conversation is recorded."))
            return redirect("coaching:note-detail", note.pk)
    return render(request, "coaching/note_form.html", {"form": form, "teacher": teacher, "note": None})


def _render_detail(request, note: CoachingNote, share_form=None):
    user = request.user
    # Every showing of the full content is a read of coaching content: record it.
    audit_read(actor=user, obj=note)
    context = {"note": note, "is_teacher": note.teacher_id == user.pk, "is_author": note.coach_id == user.pk}
    if context["is_teacher"]:
        shares = selectors.shares_of_note(note, user)
        shared_ids = [share.shared_with_id for share in shares]
        leaders = leaders_of(user).exclude(pk__in=shared_ids).order_by("full_name", "id")
        context["shares"] = shares
        context["share_form"] = share_form or ShareForm(leaders=leaders)
        context["can_share_more"] = share_form is not None or leaders.exists()
    elif not context["is_author"]:
        context["shared_by"] = selectors.share_to(note, user)
    return render(request, "coaching/note_detail.html", context)


@login_required
def note_detail(request, pk):
    note = access_note(request.user, pk)
    return _render_detail(request, note)


@login_required
@require_http_methods(["GET", "POST"])
def note_edit(request, pk):
    note = access_note(request.user, pk, write=True)
    initial = {"met_on": note.met_on, "title": note.title, "body": note.body, "next_steps": note.next_steps}
    form = NoteForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            note_update(actor=request.user, note=note, **form.cleaned_data)
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("coaching:note-detail", note.pk)
    return render(request, "coaching/note_form.html", {"form": form, "teacher": note.teacher, "note": note})


@login_required
@require_http_methods(["GET", "POST"])
def note_delete_view(request, pk):
    note = access_note(request.user, pk, write=True)
    if request.method == "POST":
        note_delete(actor=request.user, note=note)
        messages.success(request, _("The note is deleted."))
        return redirect("coaching:note-list")
    return render(request, "coaching/note_confirm_delete.html", {"note": note})


@login_required
@require_POST
def note_share(request, pk):
    note = access_note(request.user, pk)
    if note.teacher_id != request.user.pk:
        # Coaches and leaders read the note but only the teacher decides who else may.
        raise PermissionDenied
    form = ShareForm(request.POST, leaders=leaders_of(request.user))
    if form.is_valid():
        try:
            share = share_create(actor=request.user, record=note, shared_with=form.cleaned_data["shared_with"])
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("You are sharing this note with %(name)s. You can stop sharing at any time.")
                % {"name": share.shared_with.display_name},
            )
            return redirect("coaching:note-detail", note.pk)
    return _render_detail(request, note, share_form=form)


@login_required
@require_POST
def share_revoke_view(request, pk):
    share = access_share(request.user, pk, write=True)
    try:
        share_revoke(actor=request.user, share=share)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("You stopped sharing this note with %(name)s. They can no longer open it.")
            % {"name": share.shared_with.display_name},
        )
    if share.content_type_id == ContentType.objects.get_for_model(CoachingNote).pk:
        return redirect("coaching:note-detail", share.object_id)
    return redirect("coaching:note-list")
