-- Days and times are reported in the centre's time zone (the warehouse stores instants).
SET TimeZone = $timezone;
