-- Where every call known to the warehouse ended up: landed (and whether inspected), or
-- dead-lettered with the reasons. A call can be both (e.g. one bad chunk, then a transcript).
WITH landed AS (
    SELECT c.call_id, c.started_at, c.transcript_final, i.call_id IS NOT NULL AS inspected
    FROM calls AS c
    LEFT JOIN inspections AS i USING (call_id)
),

dead AS (
    SELECT
        call_id,
        count(*) AS dead_letters,
        string_agg(stage || ': ' || reason, '; ' ORDER BY failed_at, dl_key) AS dead_letter_reasons
    FROM dead_letters
    WHERE call_id IS NOT NULL
    GROUP BY call_id
),

final AS (
    SELECT
        coalesce(l.call_id, d.call_id) AS call_id,
        l.started_at,
        l.call_id IS NOT NULL AS landed,
        coalesce(l.inspected, false) AS inspected,
        l.transcript_final,
        coalesce(d.dead_letters, 0) AS dead_letters,
        d.dead_letter_reasons,
        CASE
            WHEN l.call_id IS NOT NULL AND l.inspected THEN 'inspected'
            WHEN l.call_id IS NOT NULL THEN 'landed'
            ELSE 'dead_lettered'
        END AS outcome
    FROM landed AS l
    FULL OUTER JOIN dead AS d USING (call_id)
)

SELECT call_id, outcome, landed, inspected, transcript_final, dead_letters, dead_letter_reasons, started_at
FROM final
ORDER BY started_at DESC NULLS LAST, call_id
LIMIT coalesce($limit::INTEGER, 1000);
