-- The caller's sentiment for inspections kept from before migration 0028 (bench/warehouse.py
-- fill_missing_talk): the generator's label weights, drawn from a hash of the call id.
UPDATE inspections
SET caller_sentiment = CASE
    WHEN hash(call_id || 'm') % 1000 < 350 THEN NULL
    WHEN hash(call_id || 'm') % 1000 < 512 THEN 'satisfied'
    WHEN hash(call_id || 'm') % 1000 < 805 THEN 'neutral'
    WHEN hash(call_id || 'm') % 1000 < 883 THEN 'anxious'
    WHEN hash(call_id || 'm') % 1000 < 968 THEN 'dissatisfied'
    ELSE 'angry'
END
WHERE caller_sentiment IS NULL;
