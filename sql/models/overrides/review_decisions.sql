-- Clerks' review decisions (issue 13): of the accepted rows of every review_decisions delivery
-- (review_decision_log), the latest per record signature and person — by 核实日期, then delivery,
-- file and row — stands: 是同一人 confirms the tie, 不是同一人 refuses it, and a later decision about
-- the same record and person revokes an earlier one. decided_by: 核实人; decided_on: 核实日期;
-- origin: the delivery, file and row it came from.
SELECT signature, person_id, decision, decided_by, decided_on,
       'review_decisions ' || CAST(delivery_date AS VARCHAR) || ' ' || file || ' 第' || CAST(row_in_file AS VARCHAR)
           || '行 核查编号 ' || review_id AS origin
FROM (
    SELECT *, row_number() OVER (PARTITION BY signature, person_id
                                 ORDER BY decided_on DESC, delivery_date DESC, file DESC, row_in_file DESC) AS k
    FROM review_decision_log
    WHERE status = 'accepted'
) latest
WHERE k = 1
