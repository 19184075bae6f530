-- Of these calls ($call_ids: those a batch brings a transcript or inspection of that names its
-- recording), the recording each is stored from, where it is stored with one (calls.recording_sha256).
SELECT call_id, recording_sha256
FROM calls
WHERE recording_sha256 IS NOT NULL AND call_id IN (SELECT unnest($call_ids::VARCHAR[]));
