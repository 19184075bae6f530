-- Empty the coaching groups scratch after each refill.
DELETE FROM sink_coaching_groups;
