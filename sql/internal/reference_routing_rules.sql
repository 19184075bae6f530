-- The routing rules as stored: compared before and after a reference load (warehouse/reference.py).
SELECT category, department FROM routing_rules ORDER BY ALL;
