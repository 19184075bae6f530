USE snapshot;
