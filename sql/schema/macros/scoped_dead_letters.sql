-- The dead letters a user may see (dead_letters_in_scope: those of calls in scope; those of
-- unknown calls only for an unscoped user) that failed within a page's window (local calendar
-- days, inclusive; NULL = any). Counted by the overview's headline numbers (access_kpis,
-- access_kpis_rollup).
-- The window is a range on the stored instant, not a cast of every row: row groups outside it are skipped.
CREATE OR REPLACE MACRO scoped_dead_letters(scope_centre, scope_team, date_from, date_to) AS TABLE
SELECT d.*
FROM dead_letters_in_scope(scope_centre, scope_team) AS d
WHERE (date_from::DATE IS NULL OR d.failed_at >= date_from::DATE::TIMESTAMPTZ)
  AND (date_to::DATE IS NULL OR d.failed_at < (date_to::DATE + 1)::TIMESTAMPTZ);
