"""SQL floors for the page benchmarks: the least database work each page could possibly do.

A page's floor is the time to fetch, straight through the psycopg driver, the same data the page
shows: the rows and columns that end up on screen (counts, badges and pagination totals included),
plus what every signed-in page reads (the session row; the user row, with the password hash the
session check needs; the person's roles today; the unread-notice badge). The SQL is what a person
would write by hand for that page (joins, lateral subqueries, window functions, aggregates), with
the page's own visibility rules (the coaching firewall, who sees a roster) and pagination (page 1,
same page size). Nothing is rendered.

Each floor is a function ``(cursor, ctx) -> rows fetched``: the caller opens a psycopg 3
connection, builds ``ctx`` once per page with ``floor_context(page)`` and times many calls. Every
statement is ``cursor.execute(sql, params)`` then ``fetchall()``: the session lookup first, then
the person, then the page's own data in one to three statements. The SQL is written for the people
``bench/personas.py`` picks: district staff on the coaching pages (a facilitator's service-center
grant check does not apply to them) and a service-center facilitator on the roster.

What each floor fetches, after the session and the person:

- coach home: the caseload (campuses, last and this month's conversations); overdue follow-ups, next sessions, learning.
- coach caseload: page 1 of 25 of supported teachers, every per-teacher value from lateral subqueries, window total.
- teacher timeline: page 1 of 25 of visible observations, feedback and check-ins (window total) with their details.
- teacher my growth: goals and data points; current and mastered steps, trials, next session; placements and levels.
- observation capture: the observation and focus; notes with tags, tallies, feedback, files, framework components.
- observation review: the capture data plus the aligned library steps (and levels and ratings when ratings are on).
- campus leader observation list: page 1 of 25 of the visits they made (window total) and the teacher filter, one pass.
- district admin overview: one row of district counts (people, roles, caseloads, grants, approvals); audit, learning.
- cohort session roster: the session with summary, survey, review, materials and staff; page 1 of 100 of the roster.
- framework grid: framework, version, district choice, scale and levels; nodes with descriptors, look-fors, links.
"""

import datetime
import zoneinfo
from collections.abc import Callable

import psycopg

SESSION_SQL = "SELECT session_data FROM django_session WHERE session_key = %s AND expire_date > now()"

# The user row, today's roles (active organizations only, with the MFA rule of each) and the
# unread-notice badge of the navigation: one row per role.
PERSON_SQL = """
SELECT u.id, u.full_name, u.preferred_name, u.email, u.district_id, u.service_center_id, u.is_active,
       u.password, m.role, m.organization_id, o.kind, o.require_admin_mfa,
       (SELECT count(*) FROM observations_notice n WHERE n.recipient_id = u.id AND n.read_at IS NULL) AS unread
FROM accounts_user u
LEFT JOIN (orgs_membership m JOIN orgs_organization o ON o.id = m.organization_id AND o.is_active)
  ON m.person_id = u.id AND m.valid_from <= %(today)s AND (m.valid_to IS NULL OR m.valid_to >= %(today)s)
WHERE u.id = %(viewer_id)s
"""

# The teachers a (district) coach supports today.
CASELOAD_CTE = """
caseload AS (
  SELECT ca.teacher_id, ca.district_id
  FROM orgs_caseloadassignment ca JOIN accounts_user t ON t.id = ca.teacher_id
  WHERE ca.coach_id = %(viewer_id)s AND ca.valid_from <= %(today)s
    AND (ca.valid_to IS NULL OR ca.valid_to >= %(today)s) AND t.is_active
)"""

DISPLAY_NAME = "coalesce(nullif({0}.preferred_name, ''), nullif({0}.full_name, ''), {0}.email)"


def _run(cur: psycopg.Cursor, sql: str, params) -> list:
    cur.execute(sql, params)
    return cur.fetchall()


def _signed_in(cur: psycopg.Cursor, ctx: dict) -> tuple[int, list]:
    """The session row, then the person: what the middleware and the navigation read on every page.

    Returns the number of rows fetched and the person's rows (one per role held today).
    """
    session = _run(cur, SESSION_SQL, (ctx["session_key"],))
    person = _run(cur, PERSON_SQL, ctx)
    return len(session) + len(person), person


# Coach home --------------------------------------------------------------------------------------

COACH_HOME_CASELOAD_SQL = """
SELECT t.id, t.full_name, t.preferred_name, t.email, d.id AS district_id, d.name AS district_name,
       camp.names AS campuses, notes.last_met, notes.this_month
FROM orgs_caseloadassignment ca
JOIN accounts_user t ON t.id = ca.teacher_id
JOIN orgs_organization d ON d.id = ca.district_id
LEFT JOIN LATERAL (
  SELECT string_agg(o.name, ', ' ORDER BY o.name) AS names
  FROM orgs_membership m JOIN orgs_organization o ON o.id = m.organization_id
  WHERE m.person_id = t.id AND m.role = 'teacher' AND m.valid_from <= %(today)s
    AND (m.valid_to IS NULL OR m.valid_to >= %(today)s)
) camp ON true
CROSS JOIN LATERAL (
  SELECT max(n.met_on) AS last_met, count(*) FILTER (WHERE n.met_on >= %(month_start)s) AS this_month
  FROM coaching_coachingnote n WHERE n.coach_id = ca.coach_id AND n.teacher_id = ca.teacher_id
) notes
WHERE ca.coach_id = %(viewer_id)s AND ca.valid_from <= %(today)s
  AND (ca.valid_to IS NULL OR ca.valid_to >= %(today)s) AND t.is_active
ORDER BY t.full_name
"""

# Columns: kind, id, at, day, title, who, extra, n, capacity.
COACH_HOME_PANELS_SQL = f"""
WITH {CASELOAD_CTE}
(SELECT 'overdue' AS kind, s.id, NULL::timestamptz AS at, s.follow_up_due AS day, s.title::text AS title,
        {DISPLAY_NAME.format("t")}::text AS who, NULL::text AS extra, NULL::bigint AS n, NULL::int AS capacity
 FROM coaching_coachingstep s JOIN accounts_user t ON t.id = s.teacher_id
 WHERE s.teacher_id IN (SELECT teacher_id FROM caseload)
   AND s.state IN ('agreed', 'practising', 'implementing') AND s.follow_up_due < %(today)s
 ORDER BY s.follow_up_due, s.id LIMIT 5)
UNION ALL
(SELECT 'session', s.id, s.starts_at, NULL, s.title, mem.first_member, p.name, mem.n, NULL
 FROM (
   SELECT cs.id, cs.starts_at, cs.relationship_id, cs.protocol_id, r.title
   FROM coaching_coachingsession cs JOIN coaching_relationship r ON r.id = cs.relationship_id
   WHERE r.coach_id = %(viewer_id)s AND cs.status = 'scheduled' AND cs.starts_at >= %(hour_ago)s
     AND EXISTS (SELECT 1 FROM coaching_relationshipmember rm
                 WHERE rm.relationship_id = r.id AND rm.teacher_id IN (SELECT teacher_id FROM caseload))
   ORDER BY cs.starts_at, cs.id LIMIT 5
 ) s
 JOIN coaching_protocol p ON p.id = s.protocol_id
 CROSS JOIN LATERAL (
   SELECT count(*) AS n, min(u.full_name) AS first_member
   FROM coaching_relationshipmember rm JOIN accounts_user u ON u.id = rm.teacher_id
   WHERE rm.relationship_id = s.relationship_id
 ) mem
 ORDER BY s.starts_at, s.id)
UNION ALL
(SELECT 'registration', r.id, s.starts_at, NULL, s.title, s.timezone, r.status, NULL, NULL
 FROM learning_registration r JOIN learning_session s ON s.id = r.session_id
 WHERE r.participant_id = %(viewer_id)s AND s.ends_at >= %(now)s AND r.status IN ('pending', 'confirmed', 'waitlisted')
 ORDER BY s.starts_at, r.id LIMIT 3)
UNION ALL
(SELECT 'survey', sv.id, s.starts_at, NULL, s.title, NULL, NULL, NULL, NULL
 FROM learning_survey sv JOIN learning_session s ON s.id = sv.session_id
 WHERE sv.is_open
   AND sv.session_id IN (SELECT session_id FROM learning_registration
                         WHERE participant_id = %(viewer_id)s AND checked_in_at IS NOT NULL)
   AND NOT EXISTS (SELECT 1 FROM learning_surveyresponse sr
                   WHERE sr.survey_id = sv.id AND sr.respondent_id = %(viewer_id)s)
 ORDER BY s.starts_at DESC LIMIT 3)
UNION ALL
(SELECT 'facilitating', s.id, s.starts_at, NULL, s.title, s.timezone, NULL,
        (SELECT count(*) FROM learning_registration r WHERE r.session_id = s.id AND r.status = 'confirmed'),
        s.capacity
 FROM learning_session s
 WHERE (s.id IN (SELECT session_id FROM learning_session_facilitators WHERE user_id = %(viewer_id)s)
        OR s.cohort_id IN (SELECT cohort_id FROM learning_cohort_facilitators WHERE user_id = %(viewer_id)s))
   AND s.ends_at >= %(now)s AND s.status = 'scheduled'
 ORDER BY s.starts_at, s.id LIMIT 3)
"""


def coach_home(cur: psycopg.Cursor, ctx: dict) -> int:
    """Caseload (teacher, district, campuses, last conversation, this month); five panels in one UNION ALL."""
    n = _signed_in(cur, ctx)[0]
    n += len(_run(cur, COACH_HOME_CASELOAD_SQL, ctx))
    return n + len(_run(cur, COACH_HOME_PANELS_SQL, ctx))


# Coach caseload ----------------------------------------------------------------------------------

COACH_CASELOAD_SQL = f"""
WITH {CASELOAD_CTE},
teachers AS (
  SELECT t.id, t.full_name, t.preferred_name, t.email, ses.last_session, ses.next_session_at, ses.next_session_id,
         ses.held_this_month, ses.planned_this_month, obs.last_observation, chk.last_check_in,
         step.id AS step_id, step.title AS step_title, step.state AS step_state, step.follow_up_due AS step_due,
         rel.id AS relationship_id, rel.status AS relationship_status,
         EXISTS (SELECT 1 FROM coaching_coachingstep s
                 WHERE s.teacher_id = t.id AND s.state IN ('agreed', 'practising', 'implementing')
                   AND s.follow_up_due < %(today)s) AS overdue
  FROM accounts_user t
  CROSS JOIN LATERAL (
    SELECT max(cs.starts_at) FILTER (WHERE cs.status = 'held') AS last_session,
           min(cs.starts_at) FILTER (WHERE cs.status = 'scheduled' AND cs.starts_at >= %(now)s) AS next_session_at,
           (array_agg(cs.id ORDER BY cs.starts_at, cs.id)
              FILTER (WHERE cs.status = 'scheduled' AND cs.starts_at >= %(now)s))[1] AS next_session_id,
           count(*) FILTER (WHERE cs.status = 'held' AND cs.starts_at >= %(month_from)s
                              AND cs.starts_at < %(month_to)s) AS held_this_month,
           count(*) FILTER (WHERE cs.status IN ('held', 'scheduled', 'no_show') AND cs.starts_at >= %(month_from)s
                              AND cs.starts_at < %(month_to)s) AS planned_this_month
    FROM coaching_relationship r
    JOIN coaching_relationshipmember rm ON rm.relationship_id = r.id AND rm.teacher_id = t.id
    JOIN coaching_coachingsession cs ON cs.relationship_id = r.id
    WHERE r.coach_id = %(viewer_id)s
  ) ses
  LEFT JOIN LATERAL (
    SELECT o.created_at AS last_observation FROM observations_observation o
    WHERE o.teacher_id = t.id AND o.observer_id = %(viewer_id)s
      AND o.state IN ('in_progress', 'draft', 'shared', 'discussed')
    ORDER BY o.created_at DESC LIMIT 1
  ) obs ON true
  CROSS JOIN LATERAL (
    SELECT max(c.held_on) AS last_check_in FROM observations_checkin c
    WHERE c.coach_id = %(viewer_id)s AND c.teacher_id = t.id
  ) chk
  LEFT JOIN LATERAL (
    SELECT s.id, s.title, s.state, s.follow_up_due FROM coaching_coachingstep s
    WHERE s.teacher_id = t.id AND s.state IN ('proposed', 'agreed', 'practising', 'implementing', 'follow_up')
    ORDER BY s.state = 'proposed', s.agreed_at DESC, s.created_at DESC, s.id DESC LIMIT 1
  ) step ON true
  LEFT JOIN LATERAL (
    SELECT r.id, r.status FROM coaching_relationship r
    JOIN coaching_relationshipmember rm ON rm.relationship_id = r.id AND rm.teacher_id = t.id
    WHERE r.coach_id = %(viewer_id)s AND r.status <> 'ended'
    ORDER BY r.status <> 'active', r.created_at DESC, r.id DESC LIMIT 1
  ) rel ON true
  WHERE t.id IN (SELECT teacher_id FROM caseload)
)
SELECT *, count(*) OVER () AS total FROM teachers
ORDER BY overdue DESC, next_session_at ASC NULLS LAST, full_name, id
LIMIT 25
"""


def coach_caseload(cur: psycopg.Cursor, ctx: dict) -> int:
    """Page 1 of the caseload: last contact, next session, current step, relationship, month counts; total."""
    n = _signed_in(cur, ctx)[0]
    return n + len(_run(cur, COACH_CASELOAD_SQL, ctx))


# Teacher timeline --------------------------------------------------------------------------------

TIMELINE_SQL = f"""
WITH {CASELOAD_CTE},
teacher AS (
  SELECT u.id, u.full_name, u.preferred_name, u.email FROM accounts_user u
  WHERE u.id = %(teacher_id)s AND (u.id = %(viewer_id)s OR u.id IN (SELECT teacher_id FROM caseload))
),
seen AS (
  SELECT o.id, o.started_at, o.created_at FROM observations_observation o
  WHERE o.teacher_id = (SELECT id FROM teacher) AND o.state <> 'cancelled'
    AND (o.observer_id = %(viewer_id)s OR (o.teacher_id = %(viewer_id)s AND o.state IN ('shared', 'discussed')))
),
entries AS (
  SELECT 'observation' AS kind, seen.id, coalesce(seen.started_at, seen.created_at) AS at FROM seen
  UNION ALL
  SELECT 'feedback', f.id, f.at FROM observations_feedbackevent f JOIN seen ON seen.id = f.observation_id
  UNION ALL
  SELECT 'check_in', c.id, c.held_on::timestamptz FROM observations_checkin c
  WHERE c.teacher_id = (SELECT id FROM teacher)
    AND (c.teacher_id = %(viewer_id)s OR (c.coach_id = %(viewer_id)s AND c.teacher_id IN (SELECT teacher_id FROM caseload)))
),
page AS (
  SELECT kind, id, at, count(*) OVER () AS total FROM entries ORDER BY at DESC, id DESC LIMIT 25
)
SELECT page.kind, page.id, page.at, page.total, te.full_name, te.preferred_name, te.email,
       o.kind, o.state, o.class_name, ob.full_name, ob.preferred_name, ob.email,
       gn.code, gn.title, gn.statement, ps.code, ps.title, o.proposed_step_text,
       f.mode, f.note, fs.code, fs.title, f.observation_id, fo.started_at, fo.created_at,
       c.held_on, c.priorities, c.progress, c.alignment_notes, c.blockers, c.next_check_in,
       cc.full_name, cc.preferred_name, cc.email
FROM page
CROSS JOIN teacher te
LEFT JOIN observations_observation o ON page.kind = 'observation' AND o.id = page.id
LEFT JOIN accounts_user ob ON ob.id = o.observer_id
LEFT JOIN frameworks_frameworknode gn ON gn.id = o.growth_node_id
LEFT JOIN frameworks_actionstep ps ON ps.id = o.proposed_step_id
LEFT JOIN observations_feedbackevent f ON page.kind = 'feedback' AND f.id = page.id
LEFT JOIN frameworks_actionstep fs ON fs.id = f.step_id
LEFT JOIN observations_observation fo ON fo.id = f.observation_id
LEFT JOIN observations_checkin c ON page.kind = 'check_in' AND c.id = page.id
LEFT JOIN accounts_user cc ON cc.id = c.coach_id
ORDER BY page.at DESC, page.id DESC
"""


def teacher_timeline(cur: psycopg.Cursor, ctx: dict) -> int:
    """Page 1 of 25 of visible observations, feedback events and check-ins, with their details and the total."""
    n = _signed_in(cur, ctx)[0]
    return n + len(_run(cur, TIMELINE_SQL, ctx))


# Teacher my growth -------------------------------------------------------------------------------

GROWTH_GOALS_SQL = """
WITH goals AS (
  SELECT g.id, g.status, g.statement, g.measure, g.unit, g.baseline, g.target,
         row_number() OVER (ORDER BY g.status, g.activated_at DESC, g.created_at DESC, g.id DESC) AS pos
  FROM coaching_goal g WHERE g.teacher_id = %(viewer_id)s AND g.status IN ('active', 'draft')
)
SELECT g.id, g.status, g.statement, g.measure, g.unit, g.baseline, g.target,
       p.id, p.recorded_on, p.value, p.source, p.note
FROM goals g
LEFT JOIN coaching_goaldatapoint p
  ON p.goal_id = g.id AND g.pos = (SELECT min(pos) FROM goals WHERE status = 'active')
ORDER BY g.pos, p.recorded_on, p.id
"""

# Columns: kind, id, title, state, day, at, extra, n, who.
GROWTH_STEPS_SQL = f"""
(SELECT 'current' AS kind, s.id, s.title::text AS title, s.state::text AS state, s.follow_up_due AS day,
        NULL::timestamptz AS at, NULL::text AS extra, NULL::bigint AS n, NULL::text AS who
 FROM coaching_coachingstep s
 WHERE s.teacher_id = %(viewer_id)s AND s.state IN ('proposed', 'agreed', 'practising', 'implementing', 'follow_up')
 ORDER BY s.state = 'proposed', s.agreed_at DESC, s.created_at DESC, s.id DESC)
UNION ALL
(SELECT 'mastered', s.id, s.title, s.state, NULL, s.mastered_at, NULL, NULL, NULL
 FROM coaching_coachingstep s WHERE s.teacher_id = %(viewer_id)s AND s.state = 'mastered'
 ORDER BY s.mastered_at DESC, s.id DESC LIMIT 20)
UNION ALL
(SELECT 'trial', t.id, t.strategy, t.result, t.tried_on, NULL, t.reflection, t.goal_id, NULL
 FROM coaching_strategytrial t JOIN coaching_goal g ON g.id = t.goal_id
 WHERE g.teacher_id = %(viewer_id)s
 ORDER BY t.tried_on DESC, t.id DESC LIMIT 20)
UNION ALL
(SELECT 'next_session', cs.id, p.name, cs.location, NULL, cs.starts_at, NULL, cs.minutes, {DISPLAY_NAME.format("c")}
 FROM coaching_coachingsession cs
 JOIN coaching_relationship r ON r.id = cs.relationship_id
 JOIN accounts_user c ON c.id = r.coach_id
 JOIN coaching_protocol p ON p.id = cs.protocol_id
 WHERE EXISTS (SELECT 1 FROM coaching_relationshipmember rm
               WHERE rm.relationship_id = r.id AND rm.teacher_id = %(viewer_id)s)
   AND cs.status = 'scheduled' AND cs.starts_at >= %(hour_ago)s AND r.status <> 'ended'
 ORDER BY cs.starts_at, cs.id LIMIT 1)
"""

# Columns: kind, id, code, label, day, source, group_title, pos, version_id.
GROWTH_CONTINUUM_SQL = """
WITH placed AS (
  SELECT p.id, p.node_id, p.level_id, p.placed_on, p.source FROM coaching_placement p
  WHERE p.teacher_id = %(viewer_id)s
),
nodes AS (
  SELECT n.id, n.version_id, n.code, coalesce(nullif(n.title, ''), left(n.statement, 100)) AS label, n.outline
  FROM frameworks_frameworknode n
  WHERE n.id IN (SELECT node_id FROM placed)
     OR n.id IN (SELECT f.frameworknode_id FROM coaching_intake_focus_nodes f
                 JOIN coaching_intake i ON i.id = f.intake_id WHERE i.teacher_id = %(viewer_id)s)
)
(SELECT 'placement' AS kind, p.id, n.code::text AS code, n.label::text AS label, p.placed_on AS day,
        p.source::text AS source, l.label::text AS group_title, n.outline AS pos, n.version_id
 FROM placed p JOIN nodes n ON n.id = p.node_id JOIN frameworks_scalelevel l ON l.id = p.level_id
 ORDER BY n.outline, n.id, p.placed_on, p.id)
UNION ALL
(SELECT 'area', n.id, n.code, n.label, NULL, NULL, NULL, n.outline, n.version_id
 FROM nodes n WHERE n.id NOT IN (SELECT node_id FROM placed) ORDER BY n.outline, n.id)
UNION ALL
(SELECT 'level', l.id, l.code, l.label, NULL, NULL, f.title, l.position, ps.version_id
 FROM frameworks_scalelevel l
 JOIN frameworks_performancescale ps ON ps.id = l.scale_id
 JOIN frameworks_frameworkversion v ON v.id = ps.version_id
 JOIN frameworks_framework f ON f.id = v.framework_id
 WHERE ps.version_id IN (SELECT version_id FROM nodes)
 ORDER BY ps.version_id, l.position)
"""


def teacher_my_growth(cur: psycopg.Cursor, ctx: dict) -> int:
    """Goals and data points; current/mastered steps, trials, next session; placements, areas, levels."""
    n = _signed_in(cur, ctx)[0]
    n += len(_run(cur, GROWTH_GOALS_SQL, ctx))
    n += len(_run(cur, GROWTH_STEPS_SQL, ctx))
    return n + len(_run(cur, GROWTH_CONTINUUM_SQL, ctx))


# Observation capture and review ------------------------------------------------------------------

OBSERVATION_SQL = """
SELECT o.id, o.kind, o.purpose, o.state, o.class_name, o.subject, o.lesson_objective, o.started_at, o.created_at,
       o.framework_version_id, o.ratings_enabled, o.observer_id, o.teacher_id,
       t.full_name, t.preferred_name, t.email, c.name AS campus, fs.id, fs.code, fs.title,
       o.growth_node_id, o.growth_rationale, o.proposed_step_id, o.proposed_step_text, o.strengths_summary,
       (SELECT array_agg(f.frameworknode_id) FROM observations_observation_focus_nodes f
        WHERE f.observation_id = o.id) AS focus_ids
FROM observations_observation o
JOIN accounts_user t ON t.id = o.teacher_id
LEFT JOIN orgs_organization c ON c.id = o.campus_id
LEFT JOIN frameworks_actionstep fs ON fs.id = o.focus_step_id
WHERE o.id = %(observation_id)s AND o.observer_id = %(viewer_id)s
"""

# Columns: kind, id, at, text, label, ref, n, code, title, node_ids.
EVIDENCE_PARTS = """
(SELECT 'note' AS kind, n.id, n.at, n.text, n.valence::text AS label, n.client_id::text AS ref,
        n.revision AS n, st.code::text AS code, st.title::text AS title,
        (SELECT array_agg(nn.frameworknode_id ORDER BY fw.outline)
         FROM observations_evidencenote_nodes nn JOIN frameworks_frameworknode fw ON fw.id = nn.frameworknode_id
         WHERE nn.evidencenote_id = n.id) AS node_ids
 FROM observations_evidencenote n LEFT JOIN frameworks_actionstep st ON st.id = n.step_id
 WHERE n.observation_id = (SELECT id FROM obs) AND NOT n.deleted
 ORDER BY n.at, n.id)
UNION ALL
(SELECT 'tally', tc.id, NULL, tc.label, NULL, NULL,
        (SELECT coalesce(sum(tm.delta), 0) FROM observations_tallymark tm WHERE tm.counter_id = tc.id)::int,
        NULL, NULL, NULL
 FROM observations_tallycounter tc WHERE tc.observation_id = (SELECT id FROM obs)
 ORDER BY tc.position, tc.id)
UNION ALL
(SELECT 'feedback', f.id, f.at, f.note, f.mode, f.client_id::text, NULL, st.code, st.title, NULL
 FROM observations_feedbackevent f LEFT JOIN frameworks_actionstep st ON st.id = f.step_id
 WHERE f.observation_id = (SELECT id FROM obs)
 ORDER BY f.at, f.id)
UNION ALL
(SELECT 'file', ef.id, ef.created_at, coalesce(nullif(ef.caption, ''), ef.original_name), ef.content_type,
        ef.original_name, ef.size::int, NULL, NULL, NULL
 FROM observations_evidencefile ef WHERE ef.observation_id = (SELECT id FROM obs)
 ORDER BY ef.created_at, ef.id)
UNION ALL
(SELECT 'component', fw.id, NULL, coalesce(nullif(fw.title, ''), left(fw.statement, 120)), NULL,
        trim(dom.code || ' ' || coalesce(nullif(dom.title, ''), dom.statement)), fw.depth, fw.code, NULL, NULL
 FROM frameworks_frameworknode fw LEFT JOIN frameworks_frameworknode dom ON dom.id = fw.parent_id
 WHERE fw.version_id = (SELECT framework_version_id FROM obs) AND fw.depth IN (1, 2)
 ORDER BY fw.outline)
"""

CAPTURE_EVIDENCE_SQL = f"""
WITH obs AS (
  SELECT id, framework_version_id FROM observations_observation
  WHERE id = %(observation_id)s AND observer_id = %(viewer_id)s
)
{EVIDENCE_PARTS}
"""

REVIEW_EVIDENCE_SQL = f"""
WITH obs AS (
  SELECT id, framework_version_id, ratings_enabled FROM observations_observation
  WHERE id = %(observation_id)s AND observer_id = %(viewer_id)s
)
{EVIDENCE_PARTS}
UNION ALL
(SELECT 'step', a.id, NULL, a.title, lib.title, NULL, a.sequence, a.code, NULL,
        array_agg(an.frameworknode_id ORDER BY an.frameworknode_id)
 FROM frameworks_actionstep a
 JOIN frameworks_actionsteplibrary lib ON lib.id = a.library_id
 JOIN frameworks_actionstep_aligned_nodes an ON an.actionstep_id = a.id
 JOIN frameworks_frameworknode fw ON fw.id = an.frameworknode_id
 WHERE fw.version_id = (SELECT framework_version_id FROM obs)
   AND (a.district_id IS NULL OR a.district_id = (SELECT district_id FROM accounts_user WHERE id = %(viewer_id)s))
 GROUP BY a.id, lib.id
 ORDER BY lib.title, lib.id, a.sequence)
UNION ALL
(SELECT 'level', l.id, NULL, l.label, NULL, NULL, l.position, l.code, NULL, NULL
 FROM frameworks_scalelevel l JOIN frameworks_performancescale ps ON ps.id = l.scale_id
 WHERE ps.version_id = (SELECT framework_version_id FROM obs WHERE ratings_enabled)
 ORDER BY l.position)
UNION ALL
(SELECT 'rating', r.id, NULL, NULL, NULL, NULL, r.level_id::int, NULL, NULL, ARRAY[r.node_id]
 FROM observations_rating r WHERE r.observation_id = (SELECT id FROM obs WHERE ratings_enabled))
"""


def observation_capture(cur: psycopg.Cursor, ctx: dict) -> int:
    """The observation (as its observer); notes with tags and steps, tallies, feedback, files, components."""
    n = _signed_in(cur, ctx)[0]
    n += len(_run(cur, OBSERVATION_SQL, ctx))
    return n + len(_run(cur, CAPTURE_EVIDENCE_SQL, ctx))


def observation_review(cur: psycopg.Cursor, ctx: dict) -> int:
    """The capture data plus the library steps aligned to the framework (levels and ratings when rated)."""
    n = _signed_in(cur, ctx)[0]
    n += len(_run(cur, OBSERVATION_SQL, ctx))
    return n + len(_run(cur, REVIEW_EVIDENCE_SQL, ctx))


# Campus leader observation list ------------------------------------------------------------------

# The list opens on "Visits I made": what the firewall lets the leader read, narrowed to their
# own visits, is exactly the observations they made. One pass over them gives page 1 (with the
# total) and the teachers of the filter; people are looked up by id (OFFSET 0 keeps the planner
# from hashing the whole user table for a few dozen rows). Columns: kind, id, at, obs_kind, state, acknowledged_at,
# total, teacher id, full_name, preferred_name, email, campus.
LEADER_LIST_SQL = """
WITH mine AS MATERIALIZED (
  SELECT o.id, coalesce(o.started_at, o.scheduled_for, o.created_at) AS at, o.kind, o.state, o.teacher_id,
         o.campus_id, o.acknowledged_at
  FROM observations_observation o WHERE o.observer_id = %(viewer_id)s
),
page AS (
  SELECT mine.*, count(*) OVER () AS total FROM mine ORDER BY at DESC, id DESC LIMIT 25
)
(SELECT 'row' AS kind, page.id, page.at, page.kind AS obs_kind, page.state, page.acknowledged_at, page.total,
        t.id AS teacher_id, t.full_name, t.preferred_name, t.email,
        (SELECT c.name FROM orgs_organization c WHERE c.id = page.campus_id) AS campus
 FROM page CROSS JOIN LATERAL (
   SELECT u.id, u.full_name, u.preferred_name, u.email FROM accounts_user u WHERE u.id = page.teacher_id OFFSET 0
 ) t
 ORDER BY page.at DESC, page.id DESC)
UNION ALL
(SELECT 'teacher', NULL, NULL, NULL, NULL, NULL, NULL, t.id, t.full_name, t.preferred_name, t.email, NULL
 FROM (SELECT DISTINCT teacher_id FROM mine) d CROSS JOIN LATERAL (
   SELECT u.id, u.full_name, u.preferred_name, u.email FROM accounts_user u WHERE u.id = d.teacher_id OFFSET 0
 ) t
 ORDER BY t.full_name, t.id)
"""


def leader_observation_list(cur: psycopg.Cursor, ctx: dict) -> int:
    """Page 1 of 25 of the visits the leader made (teacher, campus, state) with the total; the teacher filter."""
    n = _signed_in(cur, ctx)[0]
    return n + len(_run(cur, LEADER_LIST_SQL, ctx))


# District admin overview -------------------------------------------------------------------------

DISTRICT_COUNTS_SQL = """
SELECT d.id, d.name,
       (SELECT count(*) FROM orgs_organization c
        WHERE c.district_id = d.id AND c.kind = 'campus' AND c.is_active) AS campuses,
       people.active, people.inactive,
       roles.teacher, roles.coach, roles.campus_leader, roles.district_admin, roles.facilitator, roles.sc_admin,
       (SELECT count(*) FROM orgs_caseloadassignment ca
        WHERE ca.district_id = d.id AND ca.valid_from <= %(today)s
          AND (ca.valid_to IS NULL OR ca.valid_to >= %(today)s)) AS caseloads,
       (SELECT count(*) FROM orgs_accessgrant g
        WHERE g.district_id = d.id AND g.revoked_at IS NULL AND g.valid_from <= %(today)s
          AND (g.valid_to IS NULL OR g.valid_to >= %(today)s)) AS grants,
       (SELECT count(*) FROM learning_registration r JOIN learning_session s ON s.id = r.session_id
        WHERE r.district_id = d.id AND r.status = 'pending' AND s.starts_at > %(now)s) AS approvals
FROM orgs_organization d
CROSS JOIN LATERAL (
  SELECT count(*) FILTER (WHERE u.is_active) AS active, count(*) FILTER (WHERE NOT u.is_active) AS inactive
  FROM accounts_user u WHERE u.district_id = d.id
) people
CROSS JOIN LATERAL (
  SELECT count(DISTINCT m.person_id) FILTER (WHERE m.role = 'teacher') AS teacher,
         count(DISTINCT m.person_id) FILTER (WHERE m.role = 'coach') AS coach,
         count(DISTINCT m.person_id) FILTER (WHERE m.role = 'campus_leader') AS campus_leader,
         count(DISTINCT m.person_id) FILTER (WHERE m.role = 'district_admin') AS district_admin,
         count(DISTINCT m.person_id) FILTER (WHERE m.role = 'facilitator') AS facilitator,
         count(DISTINCT m.person_id) FILTER (WHERE m.role = 'service_center_admin') AS sc_admin
  FROM orgs_membership m
  WHERE m.district_id = d.id AND m.valid_from <= %(today)s AND (m.valid_to IS NULL OR m.valid_to >= %(today)s)
) roles
WHERE d.id = ANY(%(admin_of)s)
ORDER BY d.name LIMIT 1
"""

# Columns: kind, id, at, title, who, extra.
DISTRICT_PANELS_SQL = """
(SELECT 'audit' AS kind, a.id, a.at, a.object_repr::text AS title, a.actor_label::text AS who, a.action::text AS extra
 FROM audit_auditentry a WHERE a.district_id = %(district)s AND NOT a.is_read
 ORDER BY a.at DESC, a.id DESC LIMIT 6)
UNION ALL
(SELECT 'registration', r.id, s.starts_at, s.title, s.timezone, r.status
 FROM learning_registration r JOIN learning_session s ON s.id = r.session_id
 WHERE r.participant_id = %(viewer_id)s AND s.ends_at >= %(now)s AND r.status IN ('pending', 'confirmed', 'waitlisted')
 ORDER BY s.starts_at, r.id LIMIT 3)
UNION ALL
(SELECT 'survey', sv.id, s.starts_at, s.title, NULL, NULL
 FROM learning_survey sv JOIN learning_session s ON s.id = sv.session_id
 WHERE sv.is_open
   AND sv.session_id IN (SELECT session_id FROM learning_registration
                         WHERE participant_id = %(viewer_id)s AND checked_in_at IS NOT NULL)
   AND NOT EXISTS (SELECT 1 FROM learning_surveyresponse sr
                   WHERE sr.survey_id = sv.id AND sr.respondent_id = %(viewer_id)s)
 ORDER BY s.starts_at DESC LIMIT 3)
"""


def district_admin_overview(cur: psycopg.Cursor, ctx: dict) -> int:
    """One row of district counts; recent unread audit entries and the learning panel."""
    n, person = _signed_in(cur, ctx)
    admin_of = [row[9] for row in person if row[8] == "district_admin"]
    counts = _run(cur, DISTRICT_COUNTS_SQL, {**ctx, "admin_of": admin_of})
    n += len(counts)
    district = counts[0][0] if counts else None
    return n + len(_run(cur, DISTRICT_PANELS_SQL, {**ctx, "district": district}))


# Cohort session roster ---------------------------------------------------------------------------

# The session is one the viewer facilitates: named on it or on its cohort.
LED_SESSION = """(
  EXISTS (SELECT 1 FROM learning_session_facilitators sf WHERE sf.session_id = {0}.id AND sf.user_id = %(viewer_id)s)
  OR EXISTS (SELECT 1 FROM learning_cohort_facilitators cf
             WHERE cf.cohort_id = {0}.cohort_id AND cf.user_id = %(viewer_id)s)
)"""

ROSTER_SESSION_SQL = f"""
SELECT s.id, s.title, s.starts_at, s.ends_at, s.timezone, s.location, s.online_url, s.status, s.cancel_reason,
       s.checkin_code, s.capacity, s.contact_minutes, s.registration_closes_at, s.cancel_deadline, s.objectives,
       s.agenda, s.owner_id, c.id, c.name, p.id, p.title,
       sm.pending, sm.confirmed, sm.waitlisted, sm.cancelled, sm.declined, sm.checked_in, sm.minutes,
       sv.id, sv.is_open,
       EXISTS (SELECT 1 FROM learning_actionreview ar WHERE ar.session_id = s.id) AS has_review,
       (SELECT array_agg(mt.id ORDER BY mt.position, mt.id) FROM learning_material mt
        WHERE mt.session_id = s.id) AS material_ids,
       (SELECT array_agg(mt.title ORDER BY mt.position, mt.id) FROM learning_material mt
        WHERE mt.session_id = s.id) AS material_titles,
       (SELECT array_agg({DISPLAY_NAME.format("u")} ORDER BY u.full_name, u.id) FROM accounts_user u
        WHERE u.id IN (SELECT user_id FROM learning_session_facilitators WHERE session_id = s.id
                       UNION SELECT user_id FROM learning_cohort_facilitators WHERE cohort_id = s.cohort_id)) AS staff
FROM learning_session s
JOIN learning_cohort c ON c.id = s.cohort_id
JOIN learning_program p ON p.id = c.program_id
CROSS JOIN LATERAL (
  SELECT count(*) FILTER (WHERE r.status = 'pending') AS pending,
         count(*) FILTER (WHERE r.status = 'confirmed') AS confirmed,
         count(*) FILTER (WHERE r.status = 'waitlisted') AS waitlisted,
         count(*) FILTER (WHERE r.status = 'cancelled') AS cancelled,
         count(*) FILTER (WHERE r.status = 'declined') AS declined,
         count(*) FILTER (WHERE r.checked_in_at IS NOT NULL) AS checked_in,
         coalesce(sum(r.minutes_attended), 0) AS minutes
  FROM learning_registration r WHERE r.session_id = s.id
) sm
LEFT JOIN LATERAL (
  SELECT v.id, v.is_open FROM learning_survey v WHERE v.session_id = s.id ORDER BY v.id LIMIT 1
) sv ON true
WHERE s.id = %(session_id)s AND {LED_SESSION.format("s")}
"""

ROSTER_SQL = f"""
SELECT r.id, r.status, r.queued_at, r.checked_in_at, r.checkin_method, r.arrived_at, r.left_at, r.minutes_attended,
       u.id, u.full_name, u.preferred_name, u.email, d.name, count(*) OVER () AS total
FROM learning_registration r
JOIN accounts_user u ON u.id = r.participant_id
JOIN orgs_organization d ON d.id = r.district_id
WHERE r.session_id = %(session_id)s
  AND (r.participant_id = %(viewer_id)s
       OR EXISTS (SELECT 1 FROM learning_session s WHERE s.id = %(session_id)s AND {LED_SESSION.format("s")}))
ORDER BY CASE r.status WHEN 'confirmed' THEN 0 WHEN 'waitlisted' THEN 1 WHEN 'pending' THEN 2 ELSE 3 END,
         r.queued_at, r.id
LIMIT 100
"""


def cohort_session_roster(cur: psycopg.Cursor, ctx: dict) -> int:
    """The session (as its facilitator) with summary, survey, review, materials, staff; page 1 of the roster."""
    n = _signed_in(cur, ctx)[0]
    n += len(_run(cur, ROSTER_SESSION_SQL, ctx))
    return n + len(_run(cur, ROSTER_SQL, ctx))


# Framework grid ----------------------------------------------------------------------------------

FRAMEWORK_SQL = """
SELECT f.id, f.title, f.publisher, f.kind, f.licence, f.licence_url, f.adoption_status, f.source_url,
       f.description, f.district_id, fd.name AS owner_name, v.id AS version_id, v.label,
       rd.id AS reading_id, rd.name AS reading_name, ch.framework_id IS NOT NULL AS in_use, ch.is_default,
       sc.id AS scale_id, sc.direction, l.id, l.label, l.short_descriptor, l.position
FROM frameworks_framework f
LEFT JOIN orgs_organization fd ON fd.id = f.district_id
LEFT JOIN frameworks_frameworkversion v ON v.id = f.current_version_id
LEFT JOIN orgs_organization rd ON rd.id = %(district)s
LEFT JOIN frameworks_districtframeworkchoice ch ON ch.district_id = rd.id AND ch.framework_id = f.id
LEFT JOIN LATERAL (
  SELECT ps.id, ps.direction FROM frameworks_performancescale ps WHERE ps.version_id = v.id ORDER BY ps.id LIMIT 1
) sc ON true
LEFT JOIN frameworks_scalelevel l ON l.scale_id = sc.id
WHERE f.id = %(framework_id)s AND (f.district_id IS NULL OR f.district_id = %(district)s)
ORDER BY l.position
"""

FRAMEWORK_NODES_SQL = """
SELECT n.id, n.parent_id, n.node_type, n.code, n.title, n.statement, n.outline,
       n.extra -> 'extensions' -> 'trellis:lookFors' AS look_fors, d.level_ids, d.texts, al.links
FROM frameworks_frameworknode n
LEFT JOIN LATERAL (
  SELECT array_agg(ld.level_id ORDER BY l.position) AS level_ids, array_agg(ld.text ORDER BY l.position) AS texts
  FROM frameworks_leveldescriptor ld JOIN frameworks_scalelevel l ON l.id = ld.level_id
  WHERE ld.node_id = n.id AND l.scale_id = %(scale)s
) d ON true
LEFT JOIN LATERAL (
  SELECT json_agg(json_build_object(
           'relation', a.relation, 'reversed', a.reversed, 'to_identifier', a.to_identifier, 'to_uri', a.to_uri,
           'to_title', a.to_title, 'to_node', tn.id, 'code', tn.code, 'title', tn.title, 'statement', tn.statement,
           'framework', tv.framework_id) ORDER BY a.sequence, a.id) AS links
  FROM frameworks_nodealignment a
  LEFT JOIN frameworks_frameworknode tn ON tn.id = a.to_node_id
  LEFT JOIN frameworks_frameworkversion tv ON tv.id = tn.version_id
  WHERE a.from_node_id = n.id
) al ON true
WHERE n.version_id = %(version)s
ORDER BY n.outline, n.id
"""


def framework_grid(cur: psycopg.Cursor, ctx: dict) -> int:
    """The framework, its district choice, scale and levels; every node with descriptors, look-fors, links."""
    n, person = _signed_in(cur, ctx)
    head = _run(cur, FRAMEWORK_SQL, {**ctx, "district": person[0][4] if person else None})
    n += len(head)
    if not head or head[0][11] is None:
        return n
    return n + len(_run(cur, FRAMEWORK_NODES_SQL, {"version": head[0][11], "scale": head[0][17]}))


FLOORS: dict[str, Callable[[psycopg.Cursor, dict], int]] = {
    "coach home": coach_home,
    "coach caseload": coach_caseload,
    "teacher timeline": teacher_timeline,
    "teacher my growth": teacher_my_growth,
    "observation capture": observation_capture,
    "observation review": observation_review,
    "campus leader observation list": leader_observation_list,
    "district admin overview": district_admin_overview,
    "cohort session roster": cohort_session_roster,
    "framework grid": framework_grid,
}


def floor_context(page) -> dict:
    """The parameters of a page's floor: viewer, session key, the page's ids, and the date bounds its SQL uses.

    The bounds are worked out here, once, in the site's time zone (as the pages do): the first day of
    this month, this month's first and next month's first instant, and an hour before now.
    """
    from django.conf import settings

    ctx = {"viewer_id": page.viewer_id, "session_key": page.session_key, **page.ids}
    today: datetime.date = ctx["today"]
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    first = today.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    ctx["month_start"] = first
    ctx["month_from"] = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
    ctx["month_to"] = datetime.datetime.combine(following, datetime.time.min, tzinfo=tz)
    ctx["hour_ago"] = ctx["now"] - datetime.timedelta(hours=1)
    return ctx
