-- Leases: a node that takes a due timer or a matcher job holds it until `lease_until`; if it dies
-- meanwhile, the work becomes available again when the lease runs out.
ALTER TABLE timers ADD COLUMN lease_until bigint;
ALTER TABLE jobs ADD COLUMN lease_until bigint;
CREATE INDEX jobs_by_lease ON jobs (lease_until);
