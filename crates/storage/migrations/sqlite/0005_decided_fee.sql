-- The amount of a fee the department sets case by case (手数料の決定), in yen; NULL until
-- decided, and for every fee the definition computes.
ALTER TABLE applications ADD COLUMN decided_fee INTEGER;
