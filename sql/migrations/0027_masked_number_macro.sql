-- How a list shows a caller's number: the first three and last four digits, stars between
-- (138****1234); a number shorter than seven characters is all stars; NULL stays NULL. One
-- definition for every list that carries a masked number (the call lists, the review queue,
-- repeat callers), which had each spelt the expression out.
CREATE MACRO masked_number(n) AS
    CASE
        WHEN n IS NULL THEN NULL
        WHEN length(n) >= 7 THEN left(n, 3) || repeat('*', length(n) - 7) || right(n, 4)
        ELSE repeat('*', length(n))
    END;
