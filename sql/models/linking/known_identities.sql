-- Every distinct valid identity number the run has seen, registry and departments alike, with
-- the names (as pinyin) it was seen under. A fuzzy link is refused when another known identity
-- shares the record's name and birth date (a decoy, a namesake born the same day): a record
-- without a number cannot tell them apart.
SELECT DISTINCT id18, pinyin, birth_date, sex
FROM (
    SELECT id18, pinyin, birth_date, sex FROM link_registry WHERE id_status = 'valid'
    UNION ALL
    SELECT id18, pinyin, id_birth AS birth_date, id_sex AS sex
    FROM link_records WHERE id_status = 'valid' AND pinyin IS NOT NULL
)
