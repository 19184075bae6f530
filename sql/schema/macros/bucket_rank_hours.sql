-- The hours at rank r (from 0) of orders counted per bucket (buckets and upto as bucket_quantile):
-- the middle of the first bucket whose running count exceeds r. A step of bucket_quantile.
CREATE OR REPLACE MACRO bucket_rank_hours(buckets, upto, r) AS
    bucket_hours(buckets[list_position(list_transform(upto, lambda u: u > r), true)]);
