-- Evidence exports: one way of writing a timestamp in every evidence file, ISO-8601 in UTC
-- with microseconds and a trailing Z, so the files of a closed campaign are the same whatever
-- the server's or the session's time zone.

CREATE FUNCTION evidence_ts(at TIMESTAMPTZ) RETURNS TEXT
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
