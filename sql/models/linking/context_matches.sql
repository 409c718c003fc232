-- Members of the one household a context record names whose name agrees with the record's
-- (equal, homophone — traditional characters and dots are normalised away at ingest — or close
-- pinyin), and nothing the record carries contradicts: a mangled number's interval must hold the
-- member's valid number, a mistyped number's birth-date digits must be the member's, a birth-date
-- or sex column must agree. A pair people refused (refused_pairs) is not a match.
WITH households AS (
    SELECT source, delivery_date, record_no, min(household_id) AS household_id, min(path) AS path
    FROM context_households
    GROUP BY source, delivery_date, record_no
    HAVING count(DISTINCT household_id) = 1
)
SELECT c.source, c.delivery_date, c.record_no, h.household_id, h.path, c.is_head_row, c.village,
       g.person_id, g.id18, g.pinyin, g.is_head,
       name_level(c.name, c.pinyin, g.name, g.pinyin, $name_agreement_jaro_winkler) AS name_level
FROM households h
JOIN context_records c USING (source, delivery_date, record_no)
JOIN link_registry g ON g.household_id = h.household_id
LEFT JOIN refused_pairs x
  ON x.source = c.source AND x.delivery_date = c.delivery_date AND x.record_no = c.record_no
 AND x.person_id = g.person_id
WHERE x.person_id IS NULL
  AND name_level(c.name, c.pinyin, g.name, g.pinyin, $name_agreement_jaro_winkler) IN ('exact', 'pinyin', 'close')
  AND (c.id_lo IS NULL OR g.id_status IS DISTINCT FROM 'valid' OR TRY_CAST(g.id18 AS BIGINT) BETWEEN c.id_lo AND c.id_hi)
  AND (c.id_status NOT IN ('bad_check', 'bad_date') OR g.id18 IS NULL OR substr(g.id18, 7, 8) = substr(c.id18, 7, 8))
  AND (c.birth_col IS NULL OR g.birth_date IS NULL OR g.birth_date = c.birth_col)
  AND (c.sex_col IS NULL OR g.sex IS NULL OR g.sex = c.sex_col)
