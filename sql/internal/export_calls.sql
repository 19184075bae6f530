-- One Beijing day of calls with their inspection summary, for the date-partitioned Parquet export.
SELECT c.*, i.scorecard_id, i.scorecard_version, i.score, i.max_score, i.fatal, i.defects, i.category, i.category_score,
    i.review_state, i.inspected_at
FROM calls AS c
LEFT JOIN inspections AS i USING (call_id)
WHERE c.started_at::DATE = $day::DATE
ORDER BY c.started_at, c.call_id;
