-- The talk figures on calls follow the one definition of conversation metrics (hotline/conversation.py):
-- silence_s counts only gaps longer than the threshold, now stored with them, and the interruptions
-- are stored too. Calls stored before keep their figures (silence over every gap) with NULL here
-- until their transcript lands again.
ALTER TABLE calls ADD COLUMN interruptions INTEGER;
ALTER TABLE calls ADD COLUMN silence_threshold_s DOUBLE;
