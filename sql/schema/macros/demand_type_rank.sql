-- How strongly a type asks for action: a work order recorded under a weaker type than the caller
-- raised is downgraded (a 投诉 recorded as a 咨询 gets a shorter time limit and escapes the complaint
-- statistics). 举报 and 投诉 are the complaint types; NULL for any other value. Used by
-- work_order_discrepancies.
CREATE OR REPLACE MACRO demand_type_rank(t) AS CASE t
    WHEN '举报' THEN 4 WHEN '投诉' THEN 4 WHEN '求助' THEN 3 WHEN '建议' THEN 2 WHEN '咨询' THEN 1 WHEN '表扬' THEN 0
END;
