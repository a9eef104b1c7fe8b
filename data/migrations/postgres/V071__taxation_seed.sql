-- Default rates (docs/taxation.md, "Seed data").
-- VAT: the Finnish standard rate, 24 % from 2013-01-01 to 2024-08-31 and 25.5 % from 2024-09-01
-- (Arvonlisäverolaki 1501/1993 § 84; vero.fi). Reduced rates are not seeded: add them per commodity
-- prefix (POST /api/v1/taxation/vat-rates) when they are needed.
INSERT INTO vat_rates (code_prefix, valid_from, valid_to, percent, updated_at, updated_by) VALUES
    ('', '2013-01-01', '2024-08-31', '24',   '2026-01-01T00:00:00.000000Z', 'seed'),
    ('', '2024-09-01', NULL,         '25.5', '2026-01-01T00:00:00.000000Z', 'seed');

-- DEMO DATA, not an official tariff: a handful of EU conventional (third-country) duty rates as
-- commonly published for these headings, valid from 2024-01-01. Real rates depend on the full TARIC
-- code, origin and measures; load the real tariff with `customsdesk taxation import tariff FILE`.
INSERT INTO tariff_rates (code_prefix, valid_from, valid_to, duty_percent, specific_duty, specific_unit,
                          updated_at, updated_by) VALUES
    ('0901',   '2024-01-01', NULL, '0',   NULL, '', '2026-01-01T00:00:00.000000Z', 'seed (demo data)'),
    ('090121', '2024-01-01', NULL, '7.5', NULL, '', '2026-01-01T00:00:00.000000Z', 'seed (demo data)'),
    ('090122', '2024-01-01', NULL, '9',   NULL, '', '2026-01-01T00:00:00.000000Z', 'seed (demo data)'),
    ('6109',   '2024-01-01', NULL, '12',  NULL, '', '2026-01-01T00:00:00.000000Z', 'seed (demo data)'),
    ('6403',   '2024-01-01', NULL, '8',   NULL, '', '2026-01-01T00:00:00.000000Z', 'seed (demo data)'),
    ('8471',   '2024-01-01', NULL, '0',   NULL, '', '2026-01-01T00:00:00.000000Z', 'seed (demo data)');
