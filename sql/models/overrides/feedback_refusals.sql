-- Ties refused by a department's false alarm (rules.md: "when a false alarm was raised by a
-- department record that was tied to the person without a valid identity number, that tie is
-- refused on later nights"). For each warning episode whose standing reply is a false alarm
-- (核查结果 不属实, followup/standing_replies), every tie its evidence rested on on the night the
-- reply answered (warning_status.ties of reply_night, kept for every night) that was made without
-- a valid identity number (method not in $number_methods, config/linking.yaml) is refused:
-- signature and person_id of the tie, decided_by the department and its 经办人, decided_on the
-- 办结日期 (else the delivery date), origin the reply (delivery, file, row, 预警编号). Recomputed
-- every night from every feedback delivery, so a refusal stands as long as its reply does. A tie
-- refused by two replies is listed once (the earliest decision). Published (a night table) for
-- the audit: who refused which tie, when, on which reply.
-- @materialized: night
WITH false_alarms AS (
    SELECT r.*, h.ties
    FROM standing_replies r
    JOIN history_warning_status h ON h.warning_id = r.warning_id AND h.as_of = r.reply_night
    WHERE r.followup = 'false_alarm'
),
tied AS (
    SELECT f.*, unnest(json_items(f.ties)) AS tie FROM false_alarms f
),
refusals AS (
    SELECT json_text(tie, 'signature') AS signature, json_text(tie, 'person_id') AS person_id,
           'refuse' AS decision,
           trim(department || ' ' || coalesce(handler, '')) AS decided_by,
           coalesce(followup_date, delivery_date) AS decided_on,
           'feedback ' || CAST(delivery_date AS VARCHAR) || ' ' || file || ' 第' || CAST(row_in_file AS VARCHAR)
               || '行 预警编号 ' || warning_id AS origin
    FROM tied
    WHERE json_text(tie, 'role') = 'record' AND NOT list_contains($number_methods, json_text(tie, 'method'))
)
SELECT signature, person_id, decision, decided_by, decided_on, origin
FROM (SELECT r.*, row_number() OVER (PARTITION BY signature, person_id ORDER BY decided_on, origin) AS k
      FROM refusals r) ranked
WHERE k = 1
