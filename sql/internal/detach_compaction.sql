DETACH compaction_source;
DETACH compaction_target;
