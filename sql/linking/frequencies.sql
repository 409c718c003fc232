-- Term frequencies over the run's registry persons (one row per person; a number enrolled twice
-- counts once): how many persons share a name, a pinyin, a birth date ... These are the
-- u-probabilities of agreement (divided by N): agreeing on a common name is weak evidence.
CREATE OR REPLACE TEMP TABLE registry_people AS
SELECT * FROM link_registry WHERE id_rank = 1 OR id18 IS NULL;

-- One scan for all seven counts (GROUPING SETS), then a small table per kind.
CREATE OR REPLACE TEMP TABLE freq_all AS
SELECT name, pinyin, birth_date, strftime(birth_date, '%Y%m') AS ym, strftime(birth_date, '%Y') AS yr, sex,
       home_county AS home, GROUPING(name, pinyin, birth_date, ym, yr, sex, home) AS g, count(*) AS f
FROM registry_people
GROUP BY GROUPING SETS ((name), (pinyin), (birth_date), (ym), (yr), (sex), (home));

CREATE OR REPLACE TEMP TABLE freq_name AS SELECT name, f FROM freq_all WHERE g = 63;
CREATE OR REPLACE TEMP TABLE freq_pinyin AS SELECT pinyin, f FROM freq_all WHERE g = 95;
CREATE OR REPLACE TEMP TABLE freq_date AS SELECT birth_date, f FROM freq_all WHERE g = 111;
CREATE OR REPLACE TEMP TABLE freq_ym AS SELECT ym, f FROM freq_all WHERE g = 119;
CREATE OR REPLACE TEMP TABLE freq_year AS SELECT yr, f FROM freq_all WHERE g = 123;
CREATE OR REPLACE TEMP TABLE freq_sex AS SELECT sex, f FROM freq_all WHERE g = 125;
CREATE OR REPLACE TEMP TABLE freq_county AS SELECT home AS county, f FROM freq_all WHERE g = 126;
