-- A number taken for Excel damage that a repair would tie to someone: if another known identity
-- with that name lies inside the number's Excel interval, the "typo" may as well be rounding of
-- that other person's number, so the record is not linked.
SELECT o.source, o.delivery_date, o.record_no, count(DISTINCT k.id18) AS others
FROM repair_outcomes o
JOIN link_records r USING (source, delivery_date, record_no)
JOIN known_identities k
  ON k.pinyin = r.pinyin AND k.id18 <> o.candidate_id18
 AND TRY_CAST(k.id18 AS BIGINT) BETWEEN r.id_lo AND r.id_hi
WHERE r.id_status = 'mangled' AND o.agreeing = 1
GROUP BY o.source, o.delivery_date, o.record_no
