-- Helpers shared by the signal and rule SQL.

-- One piece of evidence: the record (source, delivery, 序号) and the values that matter.
-- Registry records have no 序号; their fields carry 家庭编号 / 成员编号 instead.
CREATE OR REPLACE TEMP MACRO evidence(src, delivery, record_no, fields) AS
    json_object('source', src, 'delivery_date', strftime(delivery, '%Y-%m-%d'), '序号', record_no, 'fields', fields);

-- Whether a day lies inside a yearly season given as 'MM-DD' ends, both included; a season whose
-- start is after its end crosses the new year (the heating season 10-20 .. 04-20).
CREATE OR REPLACE TEMP MACRO in_season(day, season_start, season_end) AS
    CASE WHEN season_start <= season_end
         THEN strftime(day, '%m-%d') BETWEEN season_start AND season_end
         ELSE strftime(day, '%m-%d') >= season_start OR strftime(day, '%m-%d') <= season_end END;

-- Days from a past date to the logical date (0 = the logical date itself).
CREATE OR REPLACE TEMP MACRO days_before_as_of(day) AS date_diff('day', day, getvariable('as_of'));

-- TWO_CANCERS' qualifying diagnosis (also a hardship signal of MULTI_HARDSHIP).
CREATE OR REPLACE TEMP MACRO qualifying_cancer(cancer, stage) AS
    (cancer = '宫颈癌' AND list_contains(getvariable('cervical_cancer_stages'), stage))
    OR (cancer = '乳腺癌' AND stage IS NOT NULL AND NOT list_contains(getvariable('breast_cancer_excluded_stages'), stage));

-- The signals of the run (sql/signals/<source>.sql insert here; published by pipelines.publish),
-- in the columns of pending_signals (sql/rules/_pending.sql, which apply_rules runs first).
CREATE OR REPLACE TEMP TABLE signals_tonight AS FROM pending_signals LIMIT 0;
