-- Registry facts of the run for the assistance chain: the household's enrolment (救助类别, 纳入日期,
-- 月救助金额), the heating aid of the season, and 单人户纳入 of a member. Household facts have
-- person_id NULL and the head's name.
INSERT INTO signals_tonight BY NAME
SELECT getvariable('as_of') AS as_of, NULL AS person_id, household_id, name,
       CASE WHEN assistance_category IN ('低保', '特困分散', '特困集中') THEN 'assistance' ELSE 'registry' END AS signal_type,
       CASE assistance_category WHEN '低保' THEN 'dibao' WHEN '特困分散' THEN 'tekun' WHEN '特困集中' THEN 'tekun'
            ELSE 'low_income_registry' END AS signal,
       assistance_category AS label,
       CASE WHEN assistance_category IN ('低保', '特困分散', '特困集中') THEN household_status = '有效' END AS received,
       monthly_benefit AS amount, included_on AS event_date, 'registry_households' AS source,
       getvariable('delivery_registry_households') AS delivery_date, NULL AS record_no,
       json_object('家庭编号', household_id, '救助类别', assistance_category, '状态', household_status,
                   '城乡类别', urban_rural, '纳入日期', included_on, '月救助金额', monthly_benefit,
                   '家庭人口数', household_size, '家庭月人均收入', income_per_head)::VARCHAR AS detail
FROM rule_persons WHERE is_head;

INSERT INTO signals_tonight BY NAME
SELECT getvariable('as_of') AS as_of, NULL AS person_id, household_id, name, 'assistance' AS signal_type,
       'heating_aid' AS signal, '冬季取暖救助' AS label, heating_aid = '已发放' AS received,
       'registry_households' AS source, getvariable('delivery_registry_households') AS delivery_date,
       json_object('家庭编号', household_id, '取暖救助', heating_aid)::VARCHAR AS detail
FROM rule_persons WHERE is_head AND heating_aid IS NOT NULL;

INSERT INTO signals_tonight BY NAME
SELECT getvariable('as_of') AS as_of, person_id, household_id, name, 'assistance' AS signal_type,
       'individual_dibao' AS signal, '单人户纳入低保' AS label, household_status = '有效' AS received,
       'registry_persons' AS source, getvariable('delivery_registry_persons') AS delivery_date,
       json_object('成员编号', person_id, '家庭编号', household_id, '单独纳入', individually_included)::VARCHAR AS detail
FROM rule_persons WHERE individually_included = '是';
