-- Per record: how many registry numbers lie one edit away, and how many of those persons' names
-- agree (exactly one agreeing is a repair; more is doubt).
SELECT source, delivery_date, record_no,
       count(DISTINCT id18) AS persons,
       count(DISTINCT id18) FILTER (WHERE name_level IN ('exact', 'pinyin', 'close')) AS agreeing,
       min(person_id) FILTER (WHERE name_level IN ('exact', 'pinyin', 'close')) AS person_id,
       min(id18) FILTER (WHERE name_level IN ('exact', 'pinyin', 'close')) AS candidate_id18,
       min(edit) FILTER (WHERE name_level IN ('exact', 'pinyin', 'close')) AS edit,
       min(typo_side) AS typo_side,
       min(name_level) FILTER (WHERE name_level IN ('exact', 'pinyin', 'close')) AS name_level
FROM repair_matches
GROUP BY source, delivery_date, record_no
