-- MULTI_HARDSHIP (县级协调机制): a low-income person with at least $multi_hardship_min_signals
-- distinct hardship signals (severely_ill, severely_disabled, unemployed, disaster_victim,
-- two_cancers, dangerous_housing). Two records of one kind count once.
-- @requires: [health_serious_illness, medins_burden, dpf_disabled, hrss_unemployed, emergency_victims, acwf_two_cancers, housing]
SELECT p.person_id,
       json_list(evidence(s.source, s.delivery_date, s.record_no, json_merge_patch(s.detail, json_object('信号', s.label))),
                 s.signal || '|' || s.source || '|' || s.record_no) AS evidence
FROM signals s
JOIN registry_facts p USING (person_id)
WHERE s.signal_type = 'hardship' AND p.is_low_income
GROUP BY p.person_id
HAVING count(DISTINCT s.signal) >= $multi_hardship_min_signals
