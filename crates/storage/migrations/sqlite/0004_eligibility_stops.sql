-- Forms that ended at an eligibility stop, counted per procedure, stop and day in Japan.
-- Nothing the resident typed is kept: the count is the procedure's statistic.
CREATE TABLE eligibility_stops (
    municipality_code TEXT NOT NULL,
    procedure_id TEXT NOT NULL,
    stop_id TEXT NOT NULL,
    day TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (municipality_code, procedure_id, stop_id, day)
);
