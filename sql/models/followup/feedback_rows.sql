-- Every row of every feedback delivery on or before the night (all_feedback), accounted for:
--   outcome  accepted | repeated (the same reply to the same episode again: a list that shows the
--            standing reply prefilled comes back with it) | rejected (reason) | empty (no reply
--            typed: a push-list row left as sent)
-- A row's department: its 部门 column, else its file's name up to the first '_' (macro
-- file_department). A row is rejected, with every reason that applies (reason: Chinese, for the
-- people who fix it; reason_code: the first):
--   blank_id             预警编号 is blank
--   unknown_id           no night before the delivery date published that 预警编号
--   not_pushed           the warning was never pushed to the row's department on a night before
--                        the delivery date (a list is answered after it was sent)
--   done_after_delivery  办结日期 is after the delivery date
--   bad_result           核查结果 is not 属实 / 不属实 / 无法核实
--   bad_action           处理情况 is not 已落实救助 / 已终止救助 / 已转介 / 无需处理 / 其他
--   no_result            neither 核查结果 nor 处理情况 is given (only 经办人, 办结日期 or 备注)
-- An accepted row refers to the latest night before its delivery on which the warning was pushed
-- to that department (reply_night): its episode (episode_first_seen: a warning that resolved and
-- came back is a new episode, answered anew), its condition then (reply_condition), its subject;
-- and it gives a follow-up state (rules.md): 不属实 → false_alarm, 无法核实 → unverifiable,
-- 处理情况 已落实救助 / 已终止救助 / 已转介 / 无需处理 → handled, else 属实 → verified (NULL: only
-- 处理情况 其他). Only published nights before $as_of are read: a rerun gives the same rows.
-- @materialized: night
WITH rows AS (
    SELECT f.delivery_date, f._file AS file, f._row AS row_in_file, f.row_no,
           typed_warning_id(f.warning_id) AS warning_id,
           coalesce(f.department, file_department(f._file)) AS department,
           f.result, f.action, f.handler, f.done_on, f.note,
           (f.result IS NULL AND f.action IS NULL AND f.handler IS NULL AND f.done_on IS NULL AND f.note IS NULL)
               AS empty
    FROM all_feedback f
),
hist AS (
    SELECT as_of, warning_id, department, rule_code, subject_key, person_id, household_id, name, first_seen,
           condition, coalesce(pushed, true) AS pushed
    FROM history_warning_status
    WHERE as_of < $as_of AND warning_id IS NOT NULL
),
known AS (
    SELECT r.delivery_date, r.file, r.row_in_file
    FROM rows r JOIN hist h ON h.warning_id = r.warning_id AND h.as_of < r.delivery_date
    GROUP BY r.delivery_date, r.file, r.row_in_file
),
sent AS (
    SELECT r.delivery_date, r.file, r.row_in_file, h.as_of AS reply_night, h.first_seen AS episode_first_seen,
           h.condition AS reply_condition, h.rule_code, h.subject_key, h.person_id, h.household_id, h.name,
           row_number() OVER (PARTITION BY r.delivery_date, r.file, r.row_in_file ORDER BY h.as_of DESC) AS k
    FROM rows r
    JOIN hist h ON h.warning_id = r.warning_id AND h.department = r.department AND h.pushed
               AND h.as_of < r.delivery_date
),
checked AS (
    SELECT r.*, s.reply_night, s.episode_first_seen, s.reply_condition, s.rule_code, s.subject_key, s.person_id,
           s.household_id, s.name,
           r.warning_id IS NULL AS blank_id,
           r.warning_id IS NOT NULL AND kn.file IS NULL AS unknown_id,
           kn.file IS NOT NULL AND s.reply_night IS NULL AS not_pushed,
           coalesce(r.done_on > r.delivery_date, false) AS done_after_delivery,
           r.result IS NOT NULL AND r.result NOT IN ('属实', '不属实', '无法核实') AS bad_result,
           r.action IS NOT NULL AND r.action NOT IN ('已落实救助', '已终止救助', '已转介', '无需处理', '其他') AS bad_action,
           r.result IS NULL AND r.action IS NULL AS no_result
    FROM rows r
    LEFT JOIN known kn ON kn.delivery_date = r.delivery_date AND kn.file = r.file AND kn.row_in_file = r.row_in_file
    LEFT JOIN sent s ON s.delivery_date = r.delivery_date AND s.file = r.file AND s.row_in_file = r.row_in_file
                    AND s.k = 1
),
judged AS (
    SELECT c.*,
           CASE WHEN c.blank_id THEN 'blank_id' WHEN c.unknown_id THEN 'unknown_id' WHEN c.not_pushed THEN 'not_pushed'
                WHEN c.done_after_delivery THEN 'done_after_delivery' WHEN c.bad_result THEN 'bad_result'
                WHEN c.bad_action THEN 'bad_action' WHEN c.no_result THEN 'no_result' END AS reason_code,
           nullif(concat_ws('；',
               CASE WHEN c.blank_id THEN '预警编号为空' END,
               CASE WHEN c.unknown_id THEN '预警编号不存在（报送日期前未发布过）' END,
               CASE WHEN c.not_pushed THEN '该预警未推送给' || coalesce(c.department, '（部门不明）') END,
               CASE WHEN c.done_after_delivery THEN '办结日期晚于报送日期' END,
               CASE WHEN c.bad_result THEN '核查结果应为 属实、不属实 或 无法核实' END,
               CASE WHEN c.bad_action THEN '处理情况应为 已落实救助、已终止救助、已转介、无需处理 或 其他' END,
               CASE WHEN c.no_result THEN '核查结果和处理情况均未填写' END), '') AS reason
    FROM checked c
)
SELECT delivery_date, file, row_in_file, row_no, warning_id, department, result, action, handler, done_on, note,
       CASE WHEN empty THEN 'empty' WHEN reason_code IS NOT NULL THEN 'rejected'
            WHEN row_number() OVER (PARTITION BY empty OR reason_code IS NOT NULL, warning_id, episode_first_seen,
                                                 result, action, handler, done_on, note
                                    ORDER BY delivery_date, file, row_in_file) > 1 THEN 'repeated'
            ELSE 'accepted' END AS outcome,
       CASE WHEN empty THEN NULL ELSE reason_code END AS reason_code,
       CASE WHEN empty THEN NULL ELSE reason END AS reason,
       CASE WHEN empty OR reason_code IS NOT NULL THEN NULL
            WHEN result = '不属实' THEN 'false_alarm'
            WHEN result = '无法核实' THEN 'unverifiable'
            WHEN action IN ('已落实救助', '已终止救助', '已转介', '无需处理') THEN 'handled'
            WHEN result = '属实' THEN 'verified' END AS followup,
       rule_code, subject_key, person_id, household_id, name, reply_night, episode_first_seen, reply_condition
FROM judged
