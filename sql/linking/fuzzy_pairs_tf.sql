-- Candidate pairs with the term frequencies of the record's own values: how many registry persons
-- share its name, pinyin, birth date (and its year-month, year), sex and county column.
CREATE OR REPLACE TEMP TABLE fuzzy_pairs_tf AS
SELECT
    p.*,
    coalesce(fn.f, 1) AS f_name,
    coalesce(fp.f, 1) AS f_pinyin,
    coalesce(fd.f, 1) AS f_date,
    coalesce(fm.f, 1) AS f_ym,
    coalesce(fy.f, 1) AS f_year,
    coalesce(fs.f, 1) AS f_sex,
    coalesce(fc.f, 1) AS f_county
FROM fuzzy_pairs p
LEFT JOIN freq_name fn ON fn.name = p.r_name
LEFT JOIN freq_pinyin fp ON fp.pinyin = p.r_pinyin
LEFT JOIN freq_date fd ON fd.birth_date = p.r_birth
LEFT JOIN freq_ym fm ON fm.ym = strftime(p.r_birth, '%Y%m')
LEFT JOIN freq_year fy ON fy.yr = p.r_birth_year
LEFT JOIN freq_sex fs ON fs.sex = p.r_sex
LEFT JOIN freq_county fc ON fc.county = p.r_county;
