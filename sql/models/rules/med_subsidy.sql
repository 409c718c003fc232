-- MED_SUBSIDY (医保局): a low-income person whose medins_burden record shows
--   a member of a 特困分散/特困集中 household whose 参保资助类型 is not 全额资助; or
--   a member of a 低保 or 返贫监测 household, or 单独纳入 = 是, whose 参保资助类型 is 无; or,
--   for any of these persons, 参保状态 other than 参保.
-- Unknown (NULL) codes never fire: a wrong warning costs a family more than a late one.
SELECT p.person_id,
       json_list(evidence('medins_burden', m.delivery_date, m.record_no,
                          json_object('参保状态', m.insurance_status, '参保资助类型', m.premium_subsidy)),
                 m.record_no) AS evidence
FROM linked_medins_burden m
JOIN registry_facts p USING (person_id)
WHERE p.is_low_income
  AND coalesce(
        (p.assistance_category IN ('特困分散', '特困集中') AND m.premium_subsidy <> '全额资助')
     OR ((p.assistance_category IN ('低保', '返贫监测') OR p.individually_included = '是') AND m.premium_subsidy = '无')
     OR ((p.assistance_category IN ('特困分散', '特困集中', '低保', '返贫监测') OR p.individually_included = '是')
         AND m.insurance_status <> '参保'), false)
GROUP BY p.person_id
