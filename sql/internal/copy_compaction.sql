-- Every table, view, macro and sequence of the warehouse into the fresh file.
COPY FROM DATABASE compaction_source TO compaction_target;
