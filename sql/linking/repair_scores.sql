-- Score of a repaired link: 1 − the expected number of people outside the registry with a valid
-- number one edit from the typed one and a name that reads the same (see config/linking.yaml).
UPDATE link_decisions AS d
SET score = greatest(0.0, 1.0 - 16.0 * s.issued_share * coalesce(fp.f, 1) / s.n)
FROM link_records r,
     (SELECT count(*) AS n,
             $province_population / (greatest(count(DISTINCT county), 1) * 36525.0 * 1000.0) AS issued_share
      FROM registry_people) s,
     freq_pinyin fp
WHERE d.method = 'repaired_id' AND d.outcome = 'link'
  AND r.source = d.source AND r.delivery_date = d.delivery_date AND r.record_no = d.record_no
  AND fp.pinyin = r.pinyin;

UPDATE link_decisions SET score = 1.0 - 16.0 * 1e-9
WHERE method = 'repaired_id' AND outcome = 'link' AND score IS NULL;
