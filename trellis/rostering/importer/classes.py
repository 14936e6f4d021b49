"""Planning academic sessions, classes and their teachers (with --classes)."""

from django.utils.translation import gettext as _

from trellis.rostering import models as m
from trellis.rostering.importer.plan import ClassPlan
from trellis.rostering.oneroster import spec


class ClassPlanner:
    def __init__(self, planner):
        self.planner = planner
        self.p = planner.p
        self.roster = planner.roster
        self.report = planner.report
        self.district = planner.district
        self.cp = ClassPlan()

    def plan(self) -> ClassPlan:
        self._sessions()
        self._classes()
        self._teachers()
        return self.cp

    def _sessions(self) -> None:
        cp = self.cp
        existing = {
            sid: (pk, title, kind, start, end, year, active, parent)
            for pk, sid, title, kind, start, end, year, active, parent in m.AcademicSession.objects.filter(
                district=self.district
            ).values_list(
                "pk",
                "sourced_id",
                "title",
                "kind",
                "start_date",
                "end_date",
                "school_year",
                "is_active",
                "parent__sourced_id",
            )
        }
        self.session_sids = set(existing) | set(self.roster.sessions)
        for s in self.roster.sessions.values():
            if s.parent and s.parent not in self.session_sids:
                self.report.error(
                    "dangling_reference",
                    _("parentSourcedId “%(id)s” is not in academicSessions.csv.") % {"id": s.parent},
                    file=spec.ACADEMIC_SESSIONS,
                    row=s.row,
                    column="parentSourcedId",
                )
                continue
            if self.planner.is_stale(m.StampKind.SESSION, s.sourced_id, s.modified):
                cp.sessions.unchanged += 1
                continue
            self.planner.stamp(m.StampKind.SESSION, s.sourced_id, s.modified)
            wanted = {
                "title": s.title[:200],
                "kind": s.type,
                "start_date": s.start,
                "end_date": s.end,
                "school_year": s.school_year,
                "is_active": s.active,
            }
            current = existing.get(s.sourced_id)
            if (current is None and s.active) or (current and (current[7] or None) != (s.parent or None)):
                cp.session_parent[s.sourced_id] = s.parent
            if current is None:
                if s.active:
                    cp.session_create.append((s.sourced_id, wanted))
                    cp.sessions.created += 1
                continue
            have = dict(
                zip(["title", "kind", "start_date", "end_date", "school_year", "is_active"], current[1:7], strict=True)
            )
            changed = {k: v for k, v in wanted.items() if have[k] != v}
            if changed:
                cp.session_update[current[0]] = changed
                if changed.get("is_active") is False:
                    cp.sessions.deactivated += 1
                else:
                    cp.sessions.updated += 1
            else:
                cp.sessions.unchanged += 1
        if self.roster.mode(spec.ACADEMIC_SESSIONS) == spec.BULK:
            for sid, row in existing.items():
                if sid not in self.roster.sessions and row[6]:
                    cp.session_update[row[0]] = {"is_active": False}
                    cp.sessions.deactivated += 1

    def _classes(self) -> None:
        cp = self.cp
        roster = self.roster
        campus_pk = self.p.campus_pk
        existing = {
            sid: rest
            for sid, *rest in m.SchoolClass.objects.filter(district=self.district).values_list(
                "sourced_id",
                "pk",
                "title",
                "class_code",
                "course_title",
                "course_code",
                "grades",
                "subjects",
                "periods",
                "campus_id",
                "is_active",
                "school_year__sourced_id",
            )
        }
        self.existing_classes = existing
        taught = {e.class_id for e in roster.enrollments.values()}
        self.kept = set()
        for c in roster.classes.values():
            school = (
                self.planner._school_of(c.school, self.planner.district_sid, c.row)
                if hasattr(self.planner, "district_sid")
                else None
            )
            if c.school not in campus_pk and school is None:
                if c.school not in roster.orgs:
                    self.report.error(
                        "dangling_reference",
                        _("schoolSourcedId “%(id)s” is not in orgs.csv, and Trellis has no campus with that roster id.")
                        % {"id": c.school},
                        file=spec.CLASSES,
                        row=c.row,
                        column="schoolSourcedId",
                    )
                continue
            school = school or c.school
            course = roster.courses.get(c.course)
            if c.course and course is None and roster.courses:
                self.report.error(
                    "dangling_reference",
                    _("courseSourcedId “%(id)s” is not in courses.csv.") % {"id": c.course},
                    file=spec.CLASSES,
                    row=c.row,
                    column="courseSourcedId",
                )
                continue
            missing_terms = [t for t in c.terms if t not in self.session_sids]
            if missing_terms:
                self.report.error(
                    "dangling_reference",
                    _("termSourcedIds “%(ids)s” are not in academicSessions.csv.") % {"ids": ", ".join(missing_terms)},
                    file=spec.CLASSES,
                    row=c.row,
                    column="termSourcedIds",
                )
                continue
            if c.sourced_id not in taught and c.sourced_id not in existing:
                continue  # no rostered teacher: not a class Trellis keeps
            self.kept.add(c.sourced_id)
            if self.planner.is_stale(m.StampKind.CLASS, c.sourced_id, c.modified):
                cp.classes.unchanged += 1
                continue
            self.planner.stamp(m.StampKind.CLASS, c.sourced_id, c.modified)
            school_year = course.school_year if course and course.school_year in self.session_sids else ""
            wanted = {
                "title": c.title[:200],
                "class_code": c.code[:100],
                "course_title": (course.title if course else "")[:200],
                "course_code": (course.code if course else "")[:100],
                "grades": c.grades,
                "subjects": c.subjects,
                "periods": c.periods,
                "campus": school,
                "is_active": c.active,
                "school_year": school_year,
            }
            current = existing.get(c.sourced_id)
            if current is None:
                if c.active:
                    cp.class_create.append((c.sourced_id, wanted))
                    cp.class_terms[c.sourced_id] = c.terms
                    cp.classes.created += 1
                continue
            pk, *values = current
            have = dict(
                zip(
                    [
                        "title",
                        "class_code",
                        "course_title",
                        "course_code",
                        "grades",
                        "subjects",
                        "periods",
                        "campus",
                        "is_active",
                        "school_year",
                    ],
                    values,
                    strict=True,
                )
            )
            have["school_year"] = have["school_year"] or ""
            compare = dict(wanted, campus=campus_pk.get(school, school))
            changed = {k: wanted[k] for k, v in compare.items() if have[k] != v}
            if changed:
                cp.class_update[pk] = changed
                cp.class_terms[c.sourced_id] = c.terms
                if changed.get("is_active") is False:
                    cp.classes.deactivated += 1
                else:
                    cp.classes.updated += 1
            else:
                cp.classes.unchanged += 1
        if self.roster.mode(spec.CLASSES) == spec.BULK:
            for sid, row in existing.items():
                if sid not in roster.classes and row[9]:
                    cp.class_update[row[0]] = {"is_active": False}
                    cp.classes.deactivated += 1

    def _teachers(self) -> None:
        cp = self.cp
        people_pk = self.p.people_pk
        existing = {
            sid: rest
            for sid, *rest in m.ClassTeacher.objects.filter(district=self.district).values_list(
                "sourced_id",
                "pk",
                "school_class__sourced_id",
                "person_id",
                "is_primary",
                "begin_date",
                "end_date",
                "is_active",
            )
        }
        known_people = people_pk
        for e in self.roster.enrollments.values():
            if e.class_id not in self.roster.classes and e.class_id not in self.existing_classes:
                self.report.error(
                    "dangling_reference",
                    _("classSourcedId “%(id)s” is not in classes.csv.") % {"id": e.class_id},
                    file=spec.ENROLLMENTS,
                    row=e.row,
                    column="classSourcedId",
                )
                continue
            if e.class_id not in self.kept:
                continue
            if e.user not in known_people:
                if e.user not in self.roster.users:
                    self.report.warning(
                        "unknown_teacher",
                        _("userSourcedId “%(id)s” is not a teacher Trellis imported; this enrollment was skipped.")
                        % {"id": e.user},
                        file=spec.ENROLLMENTS,
                        row=e.row,
                        column="userSourcedId",
                    )
                continue
            if self.planner.is_stale(m.StampKind.ENROLLMENT, e.sourced_id, e.modified):
                cp.teachers.unchanged += 1
                continue
            self.planner.stamp(m.StampKind.ENROLLMENT, e.sourced_id, e.modified)
            wanted = {
                "school_class": e.class_id,
                "person": e.user,
                "is_primary": e.primary,
                "begin_date": e.begin,
                "end_date": e.end,
                "is_active": e.active,
            }
            current = existing.get(e.sourced_id)
            if current is None:
                if e.active:
                    cp.teacher_create.append((e.sourced_id, wanted))
                    cp.teachers.created += 1
                continue
            pk, class_sid, person_pk, primary, begin, end, active = current
            have = {
                "school_class": class_sid,
                "person": person_pk,
                "is_primary": primary,
                "begin_date": begin,
                "end_date": end,
                "is_active": active,
            }
            compare = dict(wanted, person=people_pk.get(e.user))
            changed = {k: wanted[k] for k, v in compare.items() if have[k] != v}
            if changed:
                cp.teacher_update[pk] = changed
                cp.teachers.updated += 1
            else:
                cp.teachers.unchanged += 1
        if self.roster.mode(spec.ENROLLMENTS) == spec.BULK:
            for sid, row in existing.items():
                if sid not in self.roster.enrollments and row[6]:
                    cp.teacher_update[row[0]] = {"is_active": False}
                    cp.teachers.deactivated += 1
