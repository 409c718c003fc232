-- 妇联 two-cancers list: hardship "qualifying two-cancers diagnosis" (TWO_CANCERS: 宫颈癌 at a
-- listed stage, 乳腺癌 at any stage but the excluded ones: macro qualifying_cancer in
-- macros.sql); assistance: 两癌救助 received.
INSERT INTO signals_tonight BY NAME
SELECT getvariable('as_of') AS as_of, l.person_id, p.household_id, p.name, 'hardship' AS signal_type,
       'two_cancers' AS signal, '两癌' AS label, l.diagnosed_on AS event_date,
       'acwf_two_cancers' AS source, l.delivery_date, l.record_no,
       json_object('病种', l.cancer, '临床分期', l.stage, '确诊日期', l.diagnosed_on)::VARCHAR AS detail
FROM linked_acwf_two_cancers l JOIN rule_persons p USING (person_id)
WHERE qualifying_cancer(l.cancer, l.stage);

INSERT INTO signals_tonight BY NAME
SELECT getvariable('as_of') AS as_of, l.person_id, p.household_id, p.name, 'assistance' AS signal_type,
       'two_cancers_aid' AS signal, '两癌救助' AS label, l.aided = '是' AS received,
       l.diagnosed_on AS event_date, 'acwf_two_cancers' AS source, l.delivery_date, l.record_no,
       json_object('病种', l.cancer, '临床分期', l.stage, '已获救助', l.aided)::VARCHAR AS detail
FROM linked_acwf_two_cancers l JOIN rule_persons p USING (person_id);
