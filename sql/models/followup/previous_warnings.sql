-- The warnings open on the previous night of each rule: its latest published night before $as_of
-- on which the rule was evaluated (a night that skipped the rule is passed over), rows new or open.
-- warning_status carries them (first_seen, deadline) or resolves them; prior_ties checks the ties
-- they rested on.
SELECT s.*
FROM history_warning_status s
JOIN (SELECT rule_code, max(as_of) AS prev_as_of
      FROM history_rule_runs
      WHERE as_of < $as_of AND status = 'evaluated'
      GROUP BY rule_code) r
  ON s.rule_code = r.rule_code AND s.as_of = r.prev_as_of
WHERE s.status IN ('new', 'open')
