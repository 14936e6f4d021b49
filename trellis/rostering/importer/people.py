"""Planning the people and their roles at campuses: match, compare, deactivate, guard."""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from trellis.orgs.models import Membership, Organization, OrgKind
from trellis.rostering import models as m
from trellis.rostering.importer.roles import ROSTER_ROLES, employee_group, trellis_role
from trellis.rostering.oneroster import spec
from trellis.rostering.oneroster.parse import ROLES_ONLY, UserRow

User = get_user_model()
CHUNK = 2000


class PeoplePlanning:
    """Mixed into the planner: ``self.p`` is the plan, ``self.report`` the report."""

    def _plan_people(self) -> None:
        p = self.p
        district = self.district
        if not hasattr(self, "db_campuses"):
            self.db_campuses = dict(
                Organization.objects.filter(parent=district, kind=OrgKind.CAMPUS)
                .exclude(sourced_id="")
                .values_list("sourced_id", "pk")
            )
            p.campus_pk.update(self.db_campuses)
            self._school_district = {}
            self.district_sid = district.sourced_id
        rows = User.objects.filter(district=district).values_list(
            "pk", "email", "full_name", "preferred_name", "is_active", "sourced_id", "is_superuser"
        )
        people = {}
        by_sid, by_email = {}, {}
        for pk, email, name, preferred, active, sid, superuser in rows:
            people[pk] = {
                "email": email,
                "full_name": name,
                "preferred_name": preferred,
                "is_active": active,
                "sourced_id": sid,
                "superuser": superuser,
            }
            if sid:
                by_sid[sid] = pk
            by_email[email.lower()] = pk
        self.people = people
        current_roles = self._load_roster_roles()
        taken_elsewhere = self._emails_outside(by_email)
        mode = self.roster.mode(spec.USERS) or self.roster.mode(spec.ROLES)
        roles_are_full = mode == spec.BULK or self.roster.version == spec.V11
        emails_claimed: dict[str, str] = {}
        seen = set()
        for user in self.roster.users.values():
            seen.add(user.sourced_id)
            pk = by_sid.get(user.sourced_id)
            if user.row == ROLES_ONLY:
                if pk is None:
                    role = user.roles[0]
                    self.report.error(
                        "dangling_reference",
                        _("userSourcedId “%(id)s” is neither in users.csv nor a person Trellis already has.")
                        % {"id": user.sourced_id},
                        file=role.file,
                        row=role.row,
                        column="userSourcedId",
                    )
                    continue
                p.people_pk[user.sourced_id] = pk
                self._plan_roles(user, pk, current_roles.get(pk, []), full=False)
                continue
            if self.is_stale(m.StampKind.USER, user.sourced_id, user.modified):
                p.people.unchanged += 1
                if pk is not None:
                    p.people_pk[user.sourced_id] = pk
                continue
            resolved = self._resolve_roles(user) if user.roles is not None else None
            if resolved is False:
                continue
            if pk is None and user.email:
                candidate = by_email.get(user.email)
                if candidate is not None:
                    other_sid = people[candidate]["sourced_id"]
                    if other_sid and other_sid != user.sourced_id:
                        self._conflict(
                            user,
                            _(
                                "%(email)s belongs to someone with the roster id %(other)s, not %(id)s. If your SIS "
                                "changed this person's id, the person was not updated; ask your Trellis administrator "
                                "to clear the old roster id first."
                            )
                            % {"email": user.email, "other": other_sid, "id": user.sourced_id},
                        )
                        continue
                    pk = candidate
            if pk is None:
                if not user.active or (resolved is None and user.roles is None):
                    if user.roles is None and user.active:
                        p.people.skipped += 1  # a 1.2 delta person with no role: not known as staff
                    continue
                if not user.email:
                    self._conflict(
                        user,
                        _("%(name)s has no email address, which Trellis needs to sign in.") % {"name": full_name(user)},
                        level="warning",
                    )
                    continue
                if user.email in taken_elsewhere:
                    self._conflict(
                        user,
                        _("%(email)s is already used by someone outside your district.") % {"email": user.email},
                    )
                    continue
                if self._claim(emails_claimed, user):
                    continue
                group = employee_group([(r.role, school is not None) for r, school, _tr in resolved])
                p.people_create.append((user, group))
                p.people_pk[user.sourced_id] = None
                p.people.created += 1
                p.note("people_created", {"name": full_name(user), "email": user.email, "row": user.row})
                self.stamp(m.StampKind.USER, user.sourced_id, user.modified)
                self._plan_roles_new(user, resolved)
                continue
            # An existing person.
            current = people[pk]
            p.people_pk[user.sourced_id] = pk
            self.stamp(m.StampKind.USER, user.sourced_id, user.modified)
            changed = self._person_changes(user, current, by_email, taken_elsewhere, emails_claimed, pk)
            linked = not current["sourced_id"]
            if linked:
                changed["sourced_id"] = user.sourced_id
                p.people.linked += 1
                p.note("people_linked", {"name": current["full_name"], "email": current["email"], "row": user.row})
            if "is_active" in changed:
                if changed["is_active"]:
                    p.people.reactivated += 1
                    p.note("people_reactivated", {"name": current["full_name"], "row": user.row})
                else:
                    p.people.deactivated += 1
                    p.note("people_deactivated", {"name": current["full_name"], "row": user.row})
            elif changed and not linked:
                p.people.updated += 1
                p.note("people_updated", {"name": current["full_name"], "fields": sorted(changed), "row": user.row})
            if changed:
                p.people_update[pk] = changed
            roles_changed = False
            if resolved is not None and user.active:
                roles_changed = self._plan_roles(
                    user, pk, current_roles.get(pk, []), full=roles_are_full, resolved=resolved
                )
            if not changed and not roles_changed:
                p.people.unchanged += 1
        if self.roster.mode(spec.USERS) == spec.BULK:
            self._plan_people_gone(seen, by_sid)

    def _plan_people_gone(self, seen: set, by_sid: dict) -> None:
        p = self.p
        base = sum(1 for v in self.people.values() if v["sourced_id"] and v["is_active"])
        gone = 0
        for sid, pk in by_sid.items():
            person = self.people[pk]
            if sid in seen or not person["is_active"]:
                continue
            if self.actor is not None and pk == self.actor.pk or person["superuser"]:
                self.report.warning(
                    "not_deactivated_self",
                    _(
                        "%(name)s is not in this file but was not deactivated: Trellis never deactivates the person "
                        "importing or a platform operator."
                    )
                    % {"name": person["full_name"]},
                    file=spec.USERS,
                )
                continue
            p.people_update[pk] = {"is_active": False}
            p.people.deactivated += 1
            gone += 1
            p.note("people_deactivated", {"name": person["full_name"], "email": person["email"]})
        self._guard(gone, base, _("people"))

    def _person_changes(self, user: UserRow, current, by_email, taken_elsewhere, claimed, pk) -> dict:
        wanted = {"full_name": full_name(user)[:150], "is_active": user.active and user.enabled}
        if user.preferred_given:
            wanted["preferred_name"] = f"{user.preferred_given} {user.preferred_family or user.family}".strip()[:80]
        if user.email and user.email != current["email"].lower():
            owner = by_email.get(user.email)
            if (owner is not None and owner != pk) or user.email in taken_elsewhere or self._claim(claimed, user):
                self.report.warning(
                    "email_taken",
                    _("The new email %(email)s is already someone else's in Trellis; the old address was kept.")
                    % {"email": user.email},
                    file=spec.USERS,
                    row=user.row,
                    column="email",
                )
            else:
                wanted["email"] = user.email
        elif user.email:
            claimed.setdefault(user.email, user.sourced_id)
        if not user.active and not current["is_active"]:
            wanted.pop("full_name")
        if self.actor is not None and pk == self.actor.pk and not wanted["is_active"]:
            wanted["is_active"] = current["is_active"]
        return {k: v for k, v in wanted.items() if current[k] != v}

    def _claim(self, claimed: dict, user: UserRow) -> bool:
        """True (and reported) if another row already took this email address in this import."""
        other = claimed.get(user.email)
        if other is not None and other != user.sourced_id:
            self._conflict(user, _("%(email)s is already used by another person in this file.") % {"email": user.email})
            return True
        claimed[user.email] = user.sourced_id
        return False

    def _conflict(self, user: UserRow, message, level="deviation") -> None:
        self.p.people.skipped += 1
        record = self.report.warning if level == "warning" else self.report.deviation
        record("person_skipped", message, file=spec.USERS, row=user.row, column="email")

    def _emails_outside(self, by_email: dict) -> set:
        """Emails in the file used by people outside the district (or by nobody: not returned)."""
        wanted = [u.email for u in self.roster.users.values() if u.email and u.email not in by_email]
        taken = set()
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            taken |= set(
                User.objects.annotate(lower_email=Lower("email"))
                .filter(lower_email__in=chunk)
                .exclude(district=self.district)
                .values_list("lower_email", flat=True)
            )
        return taken

    # Roles -------------------------------------------------------------------------------------

    def _resolve_roles(self, user: UserRow):
        """[(RoleRow, school sid or None, Trellis role or None)]; False when a reference dangles."""
        out = []
        ok = True
        for role in user.roles:
            school = self._school_of(role.org, self.district_sid, role.row)
            if school is None:
                org = self.roster.orgs.get(role.org)
                known = org is not None or role.org == self.district_sid or role.org in self.db_campuses
                if not known:
                    column = "orgSourcedIds" if role.file == spec.USERS else "orgSourcedId"
                    self.report.error(
                        "dangling_reference",
                        _("The org “%(id)s” is not in orgs.csv, and Trellis has no campus with that roster id.")
                        % {"id": role.org},
                        file=role.file,
                        row=role.row,
                        column=column,
                    )
                    ok = False
                    continue
                if org is not None and org.type == "school":
                    self.report.warning(
                        "other_district",
                        _("The school “%(name)s” is not in your district; this role was skipped.") % {"name": org.name},
                        file=role.file,
                        row=role.row,
                    )
                    continue
            out.append((role, school, trellis_role(role.role) if school else None))
        return out if ok else False

    def _load_roster_roles(self) -> dict:
        """Every current membership of the district's people in the roles a roster gives, by person.

        Rows are tuples (pk, organization, role, valid_to, roster role id or None for a role
        given by hand); one query, whatever the district's size.
        """
        rows = (
            Membership.objects.filter(district=self.district, role__in=ROSTER_ROLES)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=self.today))
            .values_list("person_id", "pk", "organization_id", "role", "valid_to", "roster_role__id")
        )
        by_person = defaultdict(list)
        for row in rows:
            by_person[row[0]].append(row[1:])
        return by_person

    def _wanted_roles(self, resolved) -> dict:
        """(school sid, Trellis role) -> (valid_from, valid_to, role sid) for the active, current roles."""
        wanted = {}
        for role, school, t_role in resolved:
            if not school or not t_role or not role.active:
                continue
            if role.end and role.end < self.today:
                continue
            key = (school, t_role)
            if key not in wanted:
                wanted[key] = (role.begin or self.today, role.end, role.sourced_id)
        return wanted

    def _plan_roles_new(self, user: UserRow, resolved) -> None:
        for (school, t_role), (start, end, role_sid) in self._wanted_roles(resolved).items():
            self.p.membership_create.append((user.sourced_id, school, t_role, start, end, role_sid))
            self.p.memberships.created += 1

    def _plan_roles(self, user: UserRow, pk: int, current: list, *, full: bool, resolved=None) -> bool:
        """Plan role changes for an existing person; ``full``: the roles given are all their roles."""
        p = self.p
        if resolved is None:
            resolved = self._resolve_roles(user)
            if resolved is False:
                return False
        campus_pk = p.campus_pk
        wanted = self._wanted_roles(resolved)
        removed = ()
        if not full:
            # A delta roles.csv: rows marked tobedeleted end that role; others are added.
            removed = {(school, t_role) for role, school, t_role in resolved if not role.active and school and t_role}
        held = {(row[1], row[2]): row for row in reversed(current)}
        changed = False
        for (school, t_role), (start, end, role_sid) in wanted.items():
            org_pk = campus_pk.get(school)
            row = held.get((org_pk, t_role)) if org_pk else None
            if row is None:
                p.membership_create.append((user.sourced_id, school, t_role, start, end, role_sid))
                p.memberships.created += 1
                changed = True
            elif row[4] is not None and row[3] != end:
                # A rostered role whose end date changed (1.2 roles.csv); checked against its start when written.
                p.membership_change[row[0]] = {"valid_to": end}
                p.memberships.updated += 1
                changed = True
        if len(held) == len(wanted) == len(current) and not removed and not changed:
            return False  # the common case of a re-import: every role held, no other
        wanted_pks = {(campus_pk.get(s), r) for s, r in wanted}
        removed_pks = {(campus_pk.get(s), r) for s, r in removed}
        for pk, org, role, _end, roster_id in current:
            if roster_id is None:
                continue  # given by hand: a roster never ends it
            if (full and (org, role) not in wanted_pks) or (org, role) in removed_pks:
                p.membership_end[pk] = self.today  # moved to its start if that is later, when written
                p.memberships.deactivated += 1
                changed = True
        return changed


def full_name(user: UserRow) -> str:
    return f"{user.given} {user.family}".strip()
