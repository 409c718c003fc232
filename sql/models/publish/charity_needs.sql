-- 慈善帮扶需求清单 (policy 三(六), outputs.md): tonight's category-3 needs (special hardship no
-- policy covers) that are still open — new or open, not handled, not a false alarm — without
-- anything that names a family: no name, identity number, household id, township or village.
-- One row per need (warning): county_code, need_type (the rule's title), household_size (家庭人口数,
-- else the members counted), age_band (of the person, from $charity_age_bands: '18-44岁',
-- '75岁及以上'), signals (the person's hardship signals tonight, '、'-separated), households (of that
-- county and need type). A county and need type shared by fewer than $charity_min_households
-- households is left out: a small group could single a family out. Sorted by county, need type,
-- age band, household size, signals (not by anything that follows a person).
WITH members AS (
    SELECT household_id, count(*) AS members FROM registry_facts GROUP BY household_id
),
needs AS (
    SELECT s.county_code, coalesce(c.title, s.rule_code) AS need_type, s.person_id, s.household_id,
           coalesce(nullif(p.household_size, 0), m.members) AS household_size, p.age
    FROM warning_status s
    JOIN rule_catalogue c ON c.rule_code = s.rule_code
    JOIN registry_facts p ON p.person_id = s.person_id
    LEFT JOIN members m ON m.household_id = s.household_id
    WHERE s.category = 3 AND s.status IN ('new', 'open') AND c.restricted_to IS NULL
      AND coalesce(s.followup, '') NOT IN ('handled', 'false_alarm')
),
groups AS (
    SELECT county_code, need_type, count(DISTINCT household_id) AS households
    FROM needs GROUP BY county_code, need_type
),
bands AS (
    SELECT lo, lead(lo) OVER (ORDER BY lo) AS hi FROM (SELECT unnest($charity_age_bands) AS lo) b
),
hardship AS (
    SELECT person_id, string_agg(label, '、' ORDER BY label) AS signals
    FROM (SELECT DISTINCT person_id, label FROM signals WHERE signal_type = 'hardship') h
    GROUP BY person_id
)
SELECT n.county_code, n.need_type, n.household_size,
       CASE WHEN b.hi IS NULL THEN CAST(b.lo AS VARCHAR) || '岁及以上'
            ELSE CAST(b.lo AS VARCHAR) || '-' || CAST(b.hi - 1 AS VARCHAR) || '岁' END AS age_band,
       coalesce(h.signals, '') AS signals, g.households
FROM needs n
JOIN groups g ON g.county_code = n.county_code AND g.need_type = n.need_type
LEFT JOIN bands b ON n.age >= b.lo AND (b.hi IS NULL OR n.age < b.hi)
LEFT JOIN hardship h ON h.person_id = n.person_id
WHERE g.households >= $charity_min_households
ORDER BY n.county_code, n.need_type, age_band, n.household_size, signals
