-- DIBAO_SINGLE (民政厅): a member of a 有效 低保边缘 household, not yet included on their own
-- (单独纳入 = 否), who is severely ill or severely disabled (the hardship signals severely_ill
-- from health_serious_illness or medins_burden, severely_disabled from dpf_disabled). May be
-- included in 低保 as a one-person household (单人户纳入).
-- @requires: [health_serious_illness, medins_burden, dpf_disabled]
SELECT p.person_id,
       json_list(evidence(s.source, s.delivery_date, s.record_no, json_merge_patch(s.detail, json_object('信号', s.label))),
                 s.source || '|' || s.record_no) AS evidence
FROM signals s
JOIN registry_facts p USING (person_id)
WHERE s.signal_type = 'hardship' AND s.signal IN ('severely_ill', 'severely_disabled')
  AND p.household_status = '有效' AND p.assistance_category = '低保边缘'
  AND p.individually_included = '否'
GROUP BY p.person_id
