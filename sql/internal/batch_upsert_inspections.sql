-- One row per inspected call (the batch's latest inspection of it): replaces the stored one whole.
INSERT OR REPLACE INTO inspections (
    call_id, scorecard_id, scorecard_version, score, max_score, fatal, defects,
    category, category_score, category_method, category_neighbours, review_state, inspected_at,
    sentiment_method, sentiment_overall, sentiment_trend, sentiment_first_third_valence, sentiment_last_third_valence,
    sentiment_evidence, routing_department, routing_rule_id, routing_catalogue_version, routing_category,
    routing_district, routing_reason, attitude_method, attitude_overall, attitude_evidence, attitude_turns,
    items_needing_review, caller_sentiment
)
SELECT
    call_id, scorecard_id, scorecard_version, score, max_score, fatal, defects,
    category, category_score, category_method, category_neighbours, review_state, inspected_at,
    sentiment_method, sentiment_overall, sentiment_trend, sentiment_first_third_valence, sentiment_last_third_valence,
    sentiment_evidence, routing_department, routing_rule_id, routing_catalogue_version, routing_category,
    routing_district, routing_reason, attitude_method, attitude_overall, attitude_evidence, attitude_turns,
    items_needing_review, caller_sentiment
FROM sink_batch_inspections;
