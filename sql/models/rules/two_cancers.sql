-- TWO_CANCERS (妇联): a low-income woman in the two-cancers list, not aided (已获救助 = 否), with a
-- qualifying diagnosis (macro qualifying_cancer: 宫颈癌 IIB or later, 乳腺癌 but 0期).
SELECT p.person_id,
       json_list(evidence('acwf_two_cancers', c.delivery_date, c.record_no,
                          json_object('病种', c.cancer, '临床分期', c.stage, '确诊日期', c.diagnosed_on,
                                      '已获救助', c.aided)),
                 c.record_no) AS evidence
FROM linked_acwf_two_cancers c
JOIN registry_facts p USING (person_id)
WHERE p.is_low_income AND p.sex_eff = '女'
  AND c.aided = '否' AND qualifying_cancer(c.cancer, c.stage, $cervical_cancer_stages, $breast_cancer_excluded_stages)
GROUP BY p.person_id
