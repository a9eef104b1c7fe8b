-- Taxation rate tables (issue 7, part 7; docs/taxation.md). Decimals are stored as TEXT in plain
-- notation ("25.5", "1.0856") so that both dialects keep them exact; dates are TEXT "YYYY-MM-DD".
-- Validity periods include both ends; valid_to NULL is open-ended. Overlapping periods of one key are
-- refused by the service (taxation::TariffTable::Build etc.) before anything is written.

CREATE TABLE tariff_rates (
    code_prefix    TEXT NOT NULL,               -- 2..10 digits
    valid_from     TEXT NOT NULL,
    valid_to       TEXT,
    duty_percent   TEXT NOT NULL,               -- ad valorem, percent of the customs value
    specific_duty  TEXT,                        -- EUR per unit, NULL when none
    specific_unit  TEXT NOT NULL DEFAULT '',
    updated_at     TEXT NOT NULL,
    updated_by     TEXT NOT NULL,
    PRIMARY KEY (code_prefix, valid_from)
);

CREATE TABLE vat_rates (
    code_prefix    TEXT NOT NULL DEFAULT '',    -- '' = standard rate for all goods
    valid_from     TEXT NOT NULL,
    valid_to       TEXT,
    percent        TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    updated_by     TEXT NOT NULL,
    PRIMARY KEY (code_prefix, valid_from)
);

CREATE TABLE exchange_rates (
    currency       TEXT NOT NULL,               -- ISO 4217, never EUR
    valid_from     TEXT NOT NULL,               -- in force until the next row of the currency
    units_per_eur  TEXT NOT NULL,               -- 1 EUR = units_per_eur units of the currency
    updated_at     TEXT NOT NULL,
    updated_by     TEXT NOT NULL,
    PRIMARY KEY (currency, valid_from)
);

-- Bumped by every write to the three tables, so that each server process notices changes made by
-- another process (the command-line import) and reloads its in-memory tables.
CREATE TABLE taxation_revision (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    revision  BIGINT NOT NULL
);
INSERT INTO taxation_revision (id, revision) VALUES (1, 1);
