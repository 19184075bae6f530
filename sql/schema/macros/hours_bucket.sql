-- A duration in hours as a bucket of a log scale: 1 % steps of (1 + minutes), negative durations
-- mirrored to buckets -1 and below; bucket_hours turns a bucket back into its middle. Keys the
-- routing rollups work_order_dispatch_hours and work_order_close_hours; the routing page's base
-- queries (access_routing_kpis, access_routing_departments) bucket the same way, so both show the
-- same quantiles.
CREATE OR REPLACE MACRO hours_bucket(h) AS
    CASE
        WHEN h IS NULL THEN NULL
        WHEN h >= 0 THEN floor(ln(1 + h * 60) * 100)::INTEGER
        ELSE (-1 - floor(ln(1 - h * 60) * 100))::INTEGER
    END;
