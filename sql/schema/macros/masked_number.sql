-- How a list shows a caller's number: the first three and last four digits, stars between
-- (138****1234); a number shorter than seven characters is all stars; NULL stays NULL. Used by
-- every list that shows a number: the call lists (access_calls, access_calls_not_scored), the
-- review queue (access_review_queue) and the repeat callers (access_hotspot_repeat_callers,
-- hotspot_*repeat_callers).
CREATE OR REPLACE MACRO masked_number(n) AS
    CASE
        WHEN n IS NULL THEN NULL
        WHEN length(n) >= 7 THEN left(n, 3) || repeat('*', length(n) - 7) || right(n, 4)
        ELSE repeat('*', length(n))
    END;
