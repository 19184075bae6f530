-- access_hotspot_texts for every scope the hotspot job mines, in one pass: the texts of the
-- window (hotspot_text_rows, unscoped) that are among the $limit most recent of at least one
-- scope (unrestricted, their centre, their team), with the call's centre and team and started_at;
-- the job takes each scope's $limit most recent from them (by started_at DESC, call_id, as the
-- scoped query orders). The caller's own words are gathered from the turns once, not once per scope.
SELECT *
FROM hotspot_text_rows(NULL, NULL, $date_from, $date_to)
QUALIFY row_number() OVER (ORDER BY started_at DESC, call_id) <= coalesce($limit::INTEGER, 5000)
     OR (centre_id IS NOT NULL
         AND row_number() OVER (PARTITION BY centre_id ORDER BY started_at DESC, call_id) <= coalesce($limit::INTEGER, 5000))
     OR (centre_id IS NOT NULL AND team_id IS NOT NULL
         AND row_number() OVER (PARTITION BY centre_id, team_id ORDER BY started_at DESC, call_id) <= coalesce($limit::INTEGER, 5000))
ORDER BY started_at DESC, call_id;
