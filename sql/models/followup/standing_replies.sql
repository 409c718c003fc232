-- The reply that stands for each warning episode (warning_id, episode_first_seen): of its accepted
-- feedback rows, the one with the latest 办结日期 (a reply without one, e.g. 属实 not yet done,
-- yields to a dated one), then the latest delivery, then the last file and row. warning_status
-- reads its follow-up state; push_rows shows what it said (reply_*); a standing false alarm
-- refuses the weak ties of its evidence (overrides/feedback_refusals.sql).
SELECT warning_id, episode_first_seen, rule_code, subject_key, person_id, household_id, name, department,
       followup, done_on AS followup_date, result, action, handler, note, delivery_date, file, row_in_file,
       reply_night, reply_condition
FROM (SELECT f.*, row_number() OVER (PARTITION BY warning_id, episode_first_seen
                                     ORDER BY done_on DESC NULLS LAST, delivery_date DESC, file DESC,
                                              row_in_file DESC) AS k
      FROM feedback_rows f
      WHERE outcome = 'accepted') s
WHERE k = 1
