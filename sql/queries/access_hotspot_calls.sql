-- The calls behind a number on the hotspot page: a category × district cell over some days, a
-- repeat caller or a repeat address (by the hash keys of access_hotspot_repeat_*), or a list of
-- call ids (a topic). Within the user's scope; every parameter bound, NULL = any.
SELECT
    f.call_id,
    f.started_at,
    f.team_id,
    f.agent_id,
    coalesce(f.category, '未分类') AS category,
    coalesce(f.district, '未知区域') AS district,
    f.recorded_type,
    f.caller_sentiment,
    f.demand_summary,
    f.address,
    f.score,
    f.work_order_id
FROM call_facts AS f
WHERE ($scope_centre::VARCHAR IS NULL OR f.centre_id = $scope_centre::VARCHAR)
  AND ($scope_team::VARCHAR IS NULL OR f.team_id = $scope_team::VARCHAR)
  AND ($date_from::DATE IS NULL OR f.started_at::DATE >= $date_from::DATE)
  AND ($date_to::DATE IS NULL OR f.started_at::DATE <= $date_to::DATE)
  AND ($category::VARCHAR IS NULL OR coalesce(f.category, '未分类') = $category::VARCHAR)
  AND ($district::VARCHAR IS NULL OR coalesce(f.district, '未知区域') = $district::VARCHAR)
  AND ($caller_key::UBIGINT IS NULL OR hash(f.caller_number) = $caller_key::UBIGINT)
  AND ($address_key::UBIGINT IS NULL
      OR hash(regexp_replace(lower(f.address), '[\s,，。.、()（）-]', '', 'g')) = $address_key::UBIGINT)
  AND ($call_ids::VARCHAR[] IS NULL OR list_contains($call_ids::VARCHAR[], f.call_id))
ORDER BY f.started_at DESC, f.call_id
LIMIT coalesce($limit::INTEGER, 200);
