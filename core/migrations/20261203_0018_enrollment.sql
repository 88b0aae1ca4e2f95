-- Packages from the city platform applied here (issue 18): the enrollment reply (serial of the
-- first one) and every offline update bundle after it. Written with the `provision.apply` journal
-- event in one transaction; the issuer key of the enrollment row is the only key later bundles
-- are accepted from, and a serial not above the highest here is refused (older or replayed).
CREATE TABLE provisioning (
    serial      INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('enrollment', 'update')),
    issuer      TEXT NOT NULL,
    issuer_key  TEXT NOT NULL,
    sha256      TEXT NOT NULL UNIQUE,
    issued_at   TEXT NOT NULL,
    applied_at  TEXT NOT NULL,
    applied_by  TEXT NOT NULL,
    changes     TEXT NOT NULL
);
