-- Term frequencies over the run's registry persons (one row per person; a number enrolled twice
-- counts once): how many persons share a name, a pinyin, a birth date ... These are the
-- u-probabilities of agreement (divided by N): agreeing on a common name is weak evidence.
CREATE OR REPLACE TEMP TABLE registry_people AS
SELECT * FROM link_registry WHERE id_rank = 1 OR id18 IS NULL;

CREATE OR REPLACE TEMP TABLE freq_name AS SELECT name, count(*) AS f FROM registry_people GROUP BY ALL;
CREATE OR REPLACE TEMP TABLE freq_pinyin AS SELECT pinyin, count(*) AS f FROM registry_people GROUP BY ALL;
CREATE OR REPLACE TEMP TABLE freq_date AS SELECT birth_date, count(*) AS f FROM registry_people GROUP BY ALL;
CREATE OR REPLACE TEMP TABLE freq_ym AS SELECT strftime(birth_date, '%Y%m') AS ym, count(*) AS f FROM registry_people GROUP BY ALL;
CREATE OR REPLACE TEMP TABLE freq_year AS SELECT strftime(birth_date, '%Y') AS yr, count(*) AS f FROM registry_people GROUP BY ALL;
CREATE OR REPLACE TEMP TABLE freq_sex AS SELECT sex, count(*) AS f FROM registry_people GROUP BY ALL;
CREATE OR REPLACE TEMP TABLE freq_county AS SELECT home_county AS county, count(*) AS f FROM registry_people GROUP BY ALL;
