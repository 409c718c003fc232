-- Candidate pairs with the term frequencies of the record's own values and its birth precision.
CREATE OR REPLACE TEMP TABLE fuzzy_pairs_tf AS
SELECT
    p.*,
    CASE WHEN p.r_birth IS NOT NULL THEN 0 WHEN p.r_ym IS NOT NULL THEN 1 WHEN p.r_birth_year IS NOT NULL THEN 2 END
        AS r_precision,
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
LEFT JOIN freq_ym fm ON fm.ym = coalesce(strftime(p.r_birth, '%Y%m'), p.r_ym)
LEFT JOIN freq_year fy ON fy.yr = p.r_birth_year
LEFT JOIN freq_sex fs ON fs.sex = p.r_sex
LEFT JOIN freq_county fc ON fc.county = p.r_county;
