-- 妇联 two-cancers list: hardship "qualifying two-cancers diagnosis" (TWO_CANCERS: 宫颈癌 at a
-- listed stage, 乳腺癌 at any stage but the excluded ones: macro qualifying_cancer);
-- assistance: 两癌救助 received.
SELECT l.person_id, p.household_id, p.name, 'hardship' AS signal_type, 'two_cancers' AS signal, '两癌' AS label,
       CAST(NULL AS BOOLEAN) AS received, CAST(NULL AS DECIMAL(18, 2)) AS amount, l.diagnosed_on AS event_date,
       'acwf_two_cancers' AS source, l.delivery_date, l.record_no,
       CAST(json_object('病种', l.cancer, '临床分期', l.stage, '确诊日期', l.diagnosed_on) AS VARCHAR) AS detail
FROM linked_acwf_two_cancers l JOIN registry_facts p USING (person_id)
WHERE qualifying_cancer(l.cancer, l.stage, $cervical_cancer_stages, $breast_cancer_excluded_stages)
UNION ALL
SELECT l.person_id, p.household_id, p.name, 'assistance', 'two_cancers_aid', '两癌救助', l.aided = '是',
       NULL, l.diagnosed_on, 'acwf_two_cancers', l.delivery_date, l.record_no,
       CAST(json_object('病种', l.cancer, '临床分期', l.stage, '已获救助', l.aided) AS VARCHAR)
FROM linked_acwf_two_cancers l JOIN registry_facts p USING (person_id)
