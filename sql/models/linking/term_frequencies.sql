-- Term frequencies over the run's registry persons: how many share a name, a pinyin, a birth
-- date (and its year-month, year), a sex, a home county. Divided by N they are the
-- u-probabilities of agreement: agreeing on a common name is weak evidence. One scan.
WITH people AS (
    SELECT name, pinyin, CAST(birth_date AS VARCHAR) AS birth, substr(CAST(birth_date AS VARCHAR), 1, 7) AS ym,
           substr(CAST(birth_date AS VARCHAR), 1, 4) AS yr, sex, home_county
    FROM registry_people
)
SELECT
    CASE WHEN grouping(name) = 0 THEN 'name' WHEN grouping(pinyin) = 0 THEN 'pinyin'
         WHEN grouping(birth) = 0 THEN 'birth_date' WHEN grouping(ym) = 0 THEN 'year_month'
         WHEN grouping(yr) = 0 THEN 'year' WHEN grouping(sex) = 0 THEN 'sex' ELSE 'county' END AS kind,
    coalesce(name, pinyin, birth, ym, yr, sex, home_county) AS value,
    count(*) AS f
FROM people
GROUP BY GROUPING SETS ((name), (pinyin), (birth), (ym), (yr), (sex), (home_county))
HAVING coalesce(name, pinyin, birth, ym, yr, sex, home_county) IS NOT NULL
