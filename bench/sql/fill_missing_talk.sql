-- Talk figures for calls kept from before migration 0028 (bench/warehouse.py fill_missing_talk):
-- near the generator's distributions (talk_figures), drawn from hashes of the call id.
UPDATE calls
SET
    turn_count = greatest(2, (duration_s / 10)::INTEGER),
    silence_share = 0.02 + (hash(call_id || 's') % 1000) / 5000.0,
    agent_talk_share = 0.35 + (hash(call_id || 'a') % 1000) / 3000.0,
    longest_silence_s = 1.0 + (hash(call_id || 'l') % 1000) / 100.0,
    overlap_s = (hash(call_id || 'o') % 1000) / 300.0
WHERE turn_count IS NULL;
