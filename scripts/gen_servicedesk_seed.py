#!/usr/bin/env python3
"""Writes data/migrations/{sqlite,postgres}/V036__servicedesk_seed.sql: the request types of SPEC §4
with their first e-form, and the service groups. Edit this script, not the generated files; once a
migration has been released it is never edited: add a new migration (or change forms through the
API, which keeps their versions)."""
import json
import pathlib

L = lambda fi, sv, en: {"fi": fi, "sv": sv, "en": en}

def opt(value, fi, sv, en):
    return {"value": value, "label": L(fi, sv, en)}

TYPES = [
    ("service_request", L("Palvelupyyntö", "Servicebegäran", "Service request"), [
        {"key": "service", "type": "select", "required": True,
         "label": L("Palvelu", "Tjänst", "Service"),
         "options": [opt("authorisation", "Lupa-asia", "Tillstånd", "Authorisation"),
                     opt("eori_registration", "EORI-rekisteröinti", "EORI-registrering", "EORI registration"),
                     opt("customer_data", "Asiakastiedot", "Kunduppgifter", "Customer data"),
                     opt("other", "Muu", "Annat", "Other")]},
        {"key": "reference", "type": "text", "required": False, "max_length": 100,
         "label": L("Viite", "Referens", "Reference")},
    ]),
    ("change_report", L("Muutosilmoitus", "Ändringsanmälan", "Change report"), [
        {"key": "changed_item", "type": "select", "required": True,
         "label": L("Muuttunut tieto", "Ändrad uppgift", "What changed"),
         "options": [opt("company_name", "Yrityksen nimi", "Företagets namn", "Company name"),
                     opt("address", "Osoite", "Adress", "Address"),
                     opt("contact_person", "Yhteyshenkilö", "Kontaktperson", "Contact person"),
                     opt("bank_account", "Pankkitili", "Bankkonto", "Bank account"),
                     opt("other", "Muu", "Annat", "Other")]},
        {"key": "effective_date", "type": "date", "required": True,
         "label": L("Voimaantulopäivä", "Giltighetsdag", "Effective date")},
        {"key": "new_value", "type": "textarea", "required": True, "max_length": 2000,
         "label": L("Uusi tieto", "Ny uppgift", "New value")},
    ]),
    ("malfunction_report", L("Häiriöilmoitus", "Störningsanmälan", "Malfunction report"), [
        {"key": "system", "type": "select", "required": True,
         "label": L("Järjestelmä", "System", "System"),
         "options": [opt("edi_messages", "EDI-sanomat", "EDI-meddelanden", "EDI messages"),
                     opt("api", "Rajapinta (API)", "Gränssnitt (API)", "API"),
                     opt("customs_portal", "Asiointipalvelu", "E-tjänsten", "Customs portal"),
                     opt("other", "Muu", "Annat", "Other")]},
        {"key": "occurred_on", "type": "date", "required": True,
         "label": L("Havaittu", "Upptäckt", "Occurred on")},
        {"key": "message_reference", "type": "text", "required": False, "max_length": 70,
         "pattern": "^[A-Za-z0-9._:-]+$",
         "label": L("Sanoman viite (MRN tai LRN)", "Meddelandets referens (MRN eller LRN)",
                    "Message reference (MRN or LRN)")},
        {"key": "affects_clearance", "type": "checkbox", "required": False,
         "label": L("Estää tulliselvityksen", "Hindrar förtullningen", "Blocks customs clearance")},
        {"key": "notify_email", "type": "email", "required": False,
         "label": L("Tiedotteet sähköpostiin", "Meddelanden till e-post", "Status updates to e-mail")},
    ]),
    ("development_proposal", L("Kehitysehdotus", "Utvecklingsförslag", "Development proposal"), [
        {"key": "area", "type": "multiselect", "required": True, "min_items": 1, "max_items": 3,
         "label": L("Koskee", "Gäller", "Concerns"),
         "options": [opt("services", "Asiointipalvelut", "E-tjänster", "Online services"),
                     opt("guidance", "Ohjeistus", "Anvisningar", "Guidance"),
                     opt("processes", "Menettelyt", "Förfaranden", "Procedures"),
                     opt("other", "Muu", "Annat", "Other")]},
        {"key": "benefit", "type": "textarea", "required": False, "max_length": 4000,
         "label": L("Hyöty", "Nytta", "Benefit")},
    ]),
    ("question", L("Kysymys / neuvontapyyntö", "Fråga / rådgivning", "Question / advice request"), [
        {"key": "topic", "type": "select", "required": True,
         "label": L("Aihe", "Ämne", "Topic"),
         "options": [opt("tariff_classification", "Tariffiluokittelu", "Tulltaxering", "Tariff classification"),
                     opt("customs_procedures", "Tullimenettelyt", "Tullförfaranden", "Customs procedures"),
                     opt("valuation", "Tullausarvo", "Tullvärde", "Customs value"),
                     opt("origin", "Alkuperä", "Ursprung", "Origin"),
                     opt("other", "Muu", "Annat", "Other")]},
        {"key": "commodity_code", "type": "text", "required": False, "pattern": "^[0-9]{4,10}$",
         "max_length": 10, "label": L("Tavarakoodi", "Varukod", "Commodity code")},
    ]),
    ("feedback", L("Palaute", "Respons", "Feedback"), [
        {"key": "rating", "type": "number", "required": True, "min": 1, "max": 5, "integer": True,
         "label": L("Arvio (1–5)", "Betyg (1–5)", "Rating (1–5)")},
        {"key": "contact_me", "type": "checkbox", "required": False,
         "label": L("Ottakaa minuun yhteyttä", "Kontakta mig", "Please contact me")},
    ]),
    ("complaint", L("Kantelu / valitus", "Klagomål", "Complaint"), [
        {"key": "decision_reference", "type": "text", "required": False, "max_length": 100,
         "label": L("Päätöksen viite", "Beslutets referens", "Decision reference")},
        {"key": "decision_date", "type": "date", "required": False,
         "label": L("Päätöksen päivä", "Beslutets datum", "Decision date")},
        {"key": "remedy", "type": "textarea", "required": True, "max_length": 4000,
         "label": L("Mitä toivotte", "Vad önskar ni", "Remedy sought")},
    ]),
]

GROUPS = [
    ("customer_service", L("Asiakaspalvelu", "Kundtjänst", "Customer service"), "customer_service", 1),
    ("edi_support", L("EDI-tuki", "EDI-support", "EDI support"), "support", 1),
    ("tariff_classification", L("Tariffiluokittelu", "Tulltaxering", "Tariff classification"), "support", 0),
    ("customs_procedures", L("Tullimenettelyt", "Tullförfaranden", "Customs procedures"), "support", 0),
    ("authorisations", L("Luvat", "Tillstånd", "Authorisations"), "support", 0),
    ("stakeholders", L("Sidosryhmät", "Intressenter", "Stakeholders"), "stakeholder", 1),
]

def q(text):
    return "'" + text.replace("'", "''") + "'"

def dump(v):
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))

lines = ["-- Generated by scripts/gen_servicedesk_seed.py: the request types of SPEC §4 with their first",
         "-- e-form (version 1), and the service groups. Forms are edited through the API afterwards.", ""]
for i, (key, names, fields) in enumerate(TYPES, start=1):
    lines.append(f"INSERT INTO sd_request_types (id, type_key, names, form_version, sort_order) "
                 f"VALUES ({i}, {q(key)}, {q(dump(names))}, 1, {i});")
    lines.append(f"INSERT INTO sd_form_versions (type_id, version, definition, comment, created_by, created_at) "
                 f"VALUES ({i}, 1, {q(dump({'fields': fields}))}, 'shipped', 'system', "
                 f"'2026-01-01T00:00:00.000000Z');")
lines.append("")
for i, (key, names, tier, default) in enumerate(GROUPS, start=1):
    lines.append(f"INSERT INTO sd_service_groups (id, group_key, names, tier, tier_default, sort_order) "
                 f"VALUES ({i}, {q(key)}, {q(dump(names))}, {q(tier)}, {default}, {i});")
text = "\n".join(lines) + "\n"
root = pathlib.Path(__file__).resolve().parent.parent
for dialect in ("sqlite", "postgres"):
    extra = ""
    if dialect == "postgres":
        # Explicit ids above: move the identity sequences past them.
        extra = ("SELECT setval(pg_get_serial_sequence('sd_request_types', 'id'), (SELECT MAX(id) FROM sd_request_types));\n"
                 "SELECT setval(pg_get_serial_sequence('sd_service_groups', 'id'), (SELECT MAX(id) FROM sd_service_groups));\n")
    (root / "data/migrations" / dialect / "V036__servicedesk_seed.sql").write_text(text + extra, encoding="utf-8")
