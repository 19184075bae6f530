INSERT OR REPLACE INTO reference_versions (name, version, loaded_at)
VALUES ($name, $version, now());
