-- Indexes for a year of applications (a ward receives about 170,000 online). Every inbox and
-- export query is ordered by (submitted_at, receipt_number) and pages by a cursor on that pair,
-- so each index ends with both: a page is an index range read in order, never a sort of the
-- department's year. The inbox's status counts read the status index alone.
DROP INDEX applications_by_procedure;
-- The status and the department last: a procedure's status counts in a department are read
-- from the index alone.
CREATE INDEX applications_by_procedure ON applications (municipality_code, procedure_id, submitted_at, receipt_number, status, department_id);
DROP INDEX applications_by_department;
CREATE INDEX applications_by_department ON applications (municipality_code, department_id, submitted_at, receipt_number);
CREATE INDEX applications_by_department_status ON applications (municipality_code, department_id, status, submitted_at, receipt_number);
-- Administrators see every department's cases.
CREATE INDEX applications_by_submission ON applications (municipality_code, submitted_at, receipt_number);
DROP INDEX applications_by_life_event;
CREATE INDEX applications_by_life_event ON applications (municipality_code, life_event_id, submitted_at, receipt_number);
-- A business system pulls its own department's changes.
DROP INDEX applications_by_change;
CREATE INDEX applications_by_change ON applications (municipality_code, department_id, change_seq);
