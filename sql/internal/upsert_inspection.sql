INSERT OR REPLACE INTO inspections (
    call_id, scorecard_id, scorecard_version, score, max_score, fatal, defects,
    category, category_score, category_method, category_neighbours, review_state, inspected_at
)
VALUES (
    $call_id, $scorecard_id, $scorecard_version, $score, $max_score, $fatal, $defects::VARCHAR[],
    $category, $category_score, $category_method, $category_neighbours::VARCHAR[], $review_state, $inspected_at
);
