-- The calls of (scope_centre, scope_team) in the window with an address, one row each with the
-- address as places are compared (address_key: without spaces and punctuation), for the repeated
-- places counted per scope by hotspot_repeat_addresses_of: on the hotspot page
-- (access_hotspot_repeat_addresses: the user's scope) and in the hourly job
-- (hotspot_scoped_repeat_addresses: scope NULL, every scope from one read).
CREATE OR REPLACE MACRO hotspot_address_rows(scope_centre, scope_team, date_from, date_to) AS TABLE
SELECT
    f.call_id,
    f.centre_id,
    f.team_id,
    f.caller_number,
    f.started_at,
    f.category,
    f.district,
    f.address,
    regexp_replace(lower(f.address), '[\s,，。.、()（）-]', '', 'g') AS address_key
FROM call_facts_in_scope(scope_centre, scope_team) AS f
WHERE f.address IS NOT NULL
  AND (date_from::DATE IS NULL OR f.started_at >= date_from::DATE::TIMESTAMPTZ)
  AND (date_to::DATE IS NULL OR f.started_at < (date_to::DATE + 1)::TIMESTAMPTZ);
