-- Score of a repaired link: 1 − the expected number of people outside the registry with a valid
-- number one edit from the typed one and a name that reads the same (see config/linking.yaml).
-- A name no registry person's pinyin matches (a "close" spelling) counts as one such name.
UPDATE link_decisions AS d
SET score = greatest(0.0, 1.0 - 16.0 * s.issued_share * coalesce(fp.f, 1) / s.n)
FROM link_records r
     LEFT JOIN freq_pinyin fp ON fp.pinyin = r.pinyin,
     (SELECT count(*) AS n,
             $province_population / (greatest(count(DISTINCT county), 1) * 36525.0 * 1000.0) AS issued_share
      FROM registry_people) s
WHERE d.method = 'repaired_id' AND d.outcome = 'link'
  AND r.source = d.source AND r.delivery_date = d.delivery_date AND r.record_no = d.record_no;
