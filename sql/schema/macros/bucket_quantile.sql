-- A quantile q (0..1) of hours from orders counted per bucket: buckets in ascending order, upto the
-- running count of orders up to each (its last element is the count of all). As quantile_cont: the
-- values at the ranks either side of q x (orders - 1), interpolated, each read as its bucket's
-- middle (within 0.5 % of the exact figure). NULL when there are no orders. Read by the routing
-- page's headline figures and departments (access_routing_kpis, access_routing_departments, their
-- _rollup).
CREATE OR REPLACE MACRO bucket_quantile(buckets, upto, q) AS
    bucket_rank_hours(buckets, upto, floor(q * (upto[-1] - 1)))
    + (q * (upto[-1] - 1) - floor(q * (upto[-1] - 1)))
    * (bucket_rank_hours(buckets, upto, ceil(q * (upto[-1] - 1))) - bucket_rank_hours(buckets, upto, floor(q * (upto[-1] - 1))));
