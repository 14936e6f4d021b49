"""Planning the organizations: the district's link to its roster, schools as campuses."""

from django.utils.text import slugify
from django.utils.translation import gettext as _

from trellis.orgs.models import Organization, OrgKind
from trellis.rostering import models as m
from trellis.rostering.oneroster import spec


class OrgPlanning:
    """Mixed into the planner: ``self.p`` is the plan, ``self.report`` the report."""

    def _plan_orgs(self) -> None:
        orgs = self.roster.orgs
        p = self.p
        district = self.district
        districts_in_file = [o for o in orgs.values() if o.type == "district"]
        ours = district.sourced_id
        if ours:
            if districts_in_file and ours not in orgs:
                self._wrong_district(districts_in_file)
                return
        elif districts_in_file:
            if len(districts_in_file) > 1:
                names = ", ".join(f"{o.name} ({o.sourced_id})" for o in districts_in_file[:5])
                self.report.error(
                    "several_districts",
                    _(
                        "orgs.csv has %(n)s districts (%(names)s); Trellis cannot tell which one is %(district)s. "
                        "Export your district only."
                    )
                    % {"n": len(districts_in_file), "names": names, "district": district.name},
                    file=spec.ORGS,
                )
                return
            candidate = districts_in_file[0]
            taken = (
                Organization.objects.filter(kind=OrgKind.DISTRICT, sourced_id=candidate.sourced_id)
                .exclude(pk=district.pk)
                .first()
            )
            if taken is not None:
                self.report.error(
                    "district_taken",
                    _("The district %(name)s (%(id)s) in this package is already linked to %(other)s in Trellis.")
                    % {"name": candidate.name, "id": candidate.sourced_id, "other": taken.name},
                    file=spec.ORGS,
                    row=candidate.row,
                )
                return
            ours = candidate.sourced_id
            p.link_district = ours
            p.orgs.linked += 1
            p.note("orgs_linked", {"name": district.name, "sourced_id": ours, "roster_name": candidate.name})
        elif any(o.type == "school" for o in orgs.values()):
            self.report.error(
                "no_district_row",
                _(
                    "orgs.csv has schools but no district row, and %(district)s is not linked to a roster yet. "
                    "The first import needs the district row so Trellis knows the schools are yours."
                )
                % {"district": district.name},
                file=spec.ORGS,
            )
            return
        self.district_sid = ours
        self._plan_campuses(ours)

    def _wrong_district(self, districts_in_file) -> None:
        names = ", ".join(f"{o.name} ({o.sourced_id})" for o in districts_in_file[:5])
        self.report.error(
            "wrong_district",
            _(
                "This package is for %(names)s, but %(district)s is linked to the roster district %(id)s. "
                "Check that you chose the right district and the right file."
            )
            % {"names": names, "district": self.district.name, "id": self.district.sourced_id},
            file=spec.ORGS,
        )

    def _school_of(self, sourced_id: str, ours: str, row, *, seen=None) -> str | None:
        """The sourcedId of the school an org is (or sits under), if it is in our district; else None."""
        orgs = self.roster.orgs
        org = orgs.get(sourced_id)
        if org is None:
            return sourced_id if sourced_id in self.db_campuses else None
        if org.type == "school":
            return sourced_id if self._in_district(org, ours) else None
        if org.type == "department" and org.parent and org.parent != sourced_id:
            seen = seen or set()
            if org.parent in seen:
                return None
            seen.add(sourced_id)
            return self._school_of(org.parent, ours, row, seen=seen)
        return None

    def _in_district(self, school, ours) -> bool:
        cached = self._school_district.get(school.sourced_id)
        if cached is not None:
            return cached
        result = self._walk_to_district(school, ours)
        self._school_district[school.sourced_id] = result
        return result

    def _walk_to_district(self, school, ours) -> bool:
        orgs = self.roster.orgs
        node, hops = school, 0
        while hops < 20:
            hops += 1
            parent = node.parent
            if not parent:
                districts = [o for o in orgs.values() if o.type == "district"]
                if node.type == "school" and (
                    not districts or (len(districts) == 1 and districts[0].sourced_id == ours)
                ):
                    self.report.deviation(
                        "no_parent",
                        _("The school %(name)s has no parentSourcedId; Trellis took it to be in your district.")
                        % {"name": node.name},
                        file=spec.ORGS,
                        row=node.row,
                        column="parentSourcedId",
                    )
                    return True
                return False
            if parent == ours:
                return True
            parent_org = orgs.get(parent)
            if parent_org is None:
                self.report.error(
                    "dangling_reference",
                    _("parentSourcedId “%(id)s” is not in orgs.csv.") % {"id": parent},
                    file=spec.ORGS,
                    row=node.row,
                    column="parentSourcedId",
                )
                return False
            if parent_org.type == "school" and node.type == "school":
                self.report.deviation(
                    "school_under_school",
                    _("The school %(name)s has another school (%(parent)s) as its parent.")
                    % {"name": node.name, "parent": parent_org.name},
                    file=spec.ORGS,
                    row=node.row,
                    column="parentSourcedId",
                )
            if parent_org.type == "district":
                return parent == ours
            node = parent_org
        return False

    def _plan_campuses(self, ours: str) -> None:
        p = self.p
        district = self.district
        rows = Organization.objects.filter(parent=district, kind=OrgKind.CAMPUS).values_list(
            "pk", "name", "code", "sourced_id", "is_active", "slug"
        )
        existing = {pk: {"name": n, "code": c, "sourced_id": s, "is_active": a} for pk, n, c, s, a, _slug in rows}
        self.db_campuses = {v["sourced_id"]: pk for pk, v in existing.items() if v["sourced_id"]}
        slugs = {slug for *_rest, slug in rows}
        by_code = {v["code"].lower(): pk for pk, v in existing.items() if v["code"] and not v["sourced_id"]}
        by_name = {v["name"].lower(): pk for pk, v in existing.items() if not v["sourced_id"]}
        self._school_district: dict = {}
        p.campus_pk.update(self.db_campuses)
        mode = self.roster.mode(spec.ORGS)
        seen_schools = set()
        other_district = 0
        for org in self.roster.orgs.values():
            if org.type != "school":
                continue
            if not self._in_district(org, ours):
                other_district += 1
                continue
            seen_schools.add(org.sourced_id)
            if not org.name:
                self.report.error(
                    "missing_value",
                    _("name is empty; Trellis needs a name for each school."),
                    file=spec.ORGS,
                    row=org.row,
                    column="name",
                )
                continue
            if self.is_stale(m.StampKind.ORG, org.sourced_id, org.modified):
                p.orgs.unchanged += 1
                continue
            self.stamp(m.StampKind.ORG, org.sourced_id, org.modified)
            pk = self.db_campuses.get(org.sourced_id)
            linked = False
            if pk is None and org.active:
                pk = (by_code.pop(org.identifier.lower(), None) if org.identifier else None) or by_name.pop(
                    org.name.lower(), None
                )
                linked = pk is not None
            if pk is None:
                if not org.active:
                    continue  # a delta removal of a school Trellis never had
                slug = _free_slug(org.name, slugs)
                p.campus_create.append(
                    Organization(
                        kind=OrgKind.CAMPUS,
                        name=org.name[:200],
                        slug=slug,
                        parent=district,
                        district=district,
                        code=org.identifier[:40],
                        sourced_id=org.sourced_id,
                        timezone=district.timezone,
                    )
                )
                p.campus_pk[org.sourced_id] = None
                p.orgs.created += 1
                p.note("orgs_created", {"name": org.name, "row": org.row})
                continue
            current = existing[pk]
            wanted = {"name": org.name[:200], "is_active": org.active, "sourced_id": org.sourced_id}
            if org.identifier:
                wanted["code"] = org.identifier[:40]
            changed = {k: v for k, v in wanted.items() if current[k] != v}
            p.campus_pk[org.sourced_id] = pk
            if linked:
                p.orgs.linked += 1
                p.note("orgs_linked", {"name": current["name"], "sourced_id": org.sourced_id, "row": org.row})
            if not changed:
                p.orgs.unchanged += 1
                continue
            p.campus_update[pk] = changed
            if changed.get("is_active") is False:
                p.orgs.deactivated += 1
                p.note("orgs_deactivated", {"name": current["name"], "row": org.row})
            elif not linked:
                p.orgs.updated += 1
                p.note("orgs_updated", {"name": org.name, "fields": sorted(changed), "row": org.row})
        if other_district:
            self.report.notice(
                "other_district_schools",
                _("%(n)s schools belong to another district in the package and were skipped.") % {"n": other_district},
                file=spec.ORGS,
            )
        if mode == spec.BULK:
            gone = [
                pk
                for pk, v in existing.items()
                if v["sourced_id"] and v["is_active"] and v["sourced_id"] not in seen_schools
            ]
            for pk in gone:
                p.campus_update[pk] = {"is_active": False}
                p.orgs.deactivated += 1
                p.note("orgs_deactivated", {"name": existing[pk]["name"]})
            base = sum(1 for v in existing.values() if v["sourced_id"] and v["is_active"])
            self._guard(len(gone), base, _("campuses"))

    def _guard(self, count: int, base: int, what: str) -> None:
        if not base or count <= self.max_share * base or self.confirm:
            return
        self.report.error(
            "mass_deactivation",
            _(
                "This bulk file would deactivate %(n)s of your %(base)s rostered %(what)s (%(share)s%%), more than the "
                "%(limit)s%% Trellis allows without your confirmation. A cut-off export from the SIS looks like this. "
                "If it is right, import again and confirm the deactivation."
            )
            % {
                "n": f"{count:,}",
                "base": f"{base:,}",
                "what": what,
                "share": round(100 * count / base),
                "limit": round(100 * self.max_share),
            },
        )

    # People ----------------------------------------------------------------------------------


def _free_slug(name: str, taken: set) -> str:
    base = slugify(name)[:70] or "campus"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate
