-- The hours at the middle of bucket b of hours_bucket's scale (its inverse); NULL for NULL. Used by
-- bucket_rank_hours.
CREATE OR REPLACE MACRO bucket_hours(b) AS
    CASE
        WHEN b IS NULL THEN NULL
        WHEN b >= 0 THEN (exp((b + 0.5) / 100) - 1) / 60
        ELSE -(exp((-1 - b + 0.5) / 100) - 1) / 60
    END;
