-- A call id names one recording (CallMeta.recording_sha256, issue 19). The ASR stage refuses a
-- different recording under an id only while it remembers the id (in memory): after a restart,
-- or days later, a second recording sent under an explicit sidecar call id is transcribed and
-- inspected again. The calls row keeps the recording it was stored from, so the sink refuses a
-- transcript or inspection of another one (warehouse/identity.py) and keeps the first call intact.
-- The refusal is a dead letter that names the recording refused (DeadLetter.recording_sha256):
-- the sink's dead letters exist only here, so reconcile reads the recordings they name from this
-- table (query reconcile_refused_recordings). NULL where the producer named no recording (older
-- producers, imported transcripts), as for every row stored before this migration.
ALTER TABLE calls ADD COLUMN recording_sha256 VARCHAR;
ALTER TABLE sink_batch_calls ADD COLUMN recording_sha256 VARCHAR;
ALTER TABLE dead_letters ADD COLUMN recording_sha256 VARCHAR;
ALTER TABLE sink_batch_dead_letters ADD COLUMN recording_sha256 VARCHAR;
