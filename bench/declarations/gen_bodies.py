#!/usr/bin/env python3
"""Realistic declaration bodies for the load benchmark, built from the shipped reference data.

  gen_bodies.py EORI COUNT OUT.json [--h7-ndjson N OUT.ndjson]

OUT.json: a JSON array of COUNT H1/H7 declaration templates (LRN "__LRN__", replaced per request by
lodge.lua): commodity codes drawn from data/reference/cn/cn2026.csv, origins/dispatch from the
non-EU ISO 3166 countries, locations of goods from the Finnish UN/LOCODEs; masses, packages and
amounts consistent (totals = sums), about 2 KB each. With --h7-ndjson also N H7 declarations with
unique LRNs as NDJSON for the bulk endpoint. Deterministic (seeded).
"""
import csv, json, random, sys

random.seed(7)
root = __file__.rsplit("/bench/", 1)[0]
cn = [r["code"] for r in csv.DictReader(open(f"{root}/data/reference/cn/cn2026.csv")) if r["level"] == "cn8"
      and not r["code"].startswith(("93", "22", "24"))]
countries = [r["alpha_2"] for r in csv.DictReader(open(f"{root}/data/reference/iso-codes/iso_3166-1.csv"))
             if r.get("eu_member", "0") != "1" and r["alpha_2"] not in ("FI",)]
locations = [r["Country"] + r["Location"] for r in csv.DictReader(open(f"{root}/data/reference/unlocode/unlocode-eu27.csv"))
             if r["Country"] == "FI" and r["Location"].isalpha()][:200]
words = ["cotton", "steel", "plastic", "wooden", "electronic", "household", "industrial", "spare", "parts", "textile",
         "articles", "machines", "tools", "toys", "footwear", "furniture", "lamps", "cables", "pumps", "valves"]


def money(x):
    return f"{x:.2f}"


def h1(eori):
    n = random.randint(1, 5)
    origin = random.choice(countries)
    items, gross_total, amount_total, packages_total = [], 0, 0, 0
    for _ in range(n):
        gross = random.randint(10, 5000) / 10
        net = round(gross * random.uniform(0.7, 0.95), 1)
        amount = random.randint(1000, 2000000) / 100
        pk = random.randint(1, 40)
        gross_total += round(gross * 10)
        amount_total += round(amount * 100)
        packages_total += pk
        items.append({"commodity_code": random.choice(cn),
                      "description": " ".join(random.sample(words, 4)),
                      "gross_mass": f"{gross:.1f}", "net_mass": f"{net:.1f}", "package_type": "CT", "packages": pk,
                      "item_amount": money(amount), "customs_value": money(amount * 1.08),
                      "procedure_code": "4000", "additional_procedure": "000", "country_of_origin": origin})
    return {"lrn": "__LRN__", "type": "H1", "additional_type": "A",
            "declarant": {"identification_number": eori, "name": "Demo Import Oy", "country": "FI"},
            "importer": {"identification_number": eori, "name": "Demo Import Oy", "country": "FI"},
            "office_of_lodgement": "FI002000", "country_of_dispatch": origin, "country_of_destination": "FI",
            "location_of_goods": random.choice(locations),
            "transport": {"mode_at_border": random.choice([1, 3, 4]), "identity": "IMO9321483", "nationality": "PA",
                          "container": True},
            "invoice_amount": money(amount_total / 100), "invoice_currency": "EUR",
            "total_gross_mass": f"{gross_total / 10:.1f}", "total_packages": packages_total,
            "previous_documents": [{"type": "N705", "reference": f"BL-{random.randint(100000, 999999)}"}],
            "supporting_documents": [{"type": "N935", "reference": f"INV-{random.randint(100000, 999999)}"}],
            "items": items}


def h7(eori, lrn):
    amount = random.randint(100, 14900) / 100
    return {"lrn": lrn, "type": "H7", "declarant": {"identification_number": eori},
            "importer": {"identification_number": eori}, "office_of_lodgement": "FI001000",
            "country_of_dispatch": random.choice(countries), "country_of_destination": "FI",
            "transport": {"mode_at_border": random.choice([4, 5])},
            "invoice_amount": money(amount), "invoice_currency": "EUR",
            "items": [{"commodity_code": random.choice(cn)[:6], "description": " ".join(random.sample(words, 3)),
                       "gross_mass": "0.8", "net_mass": "0.6", "item_amount": money(amount),
                       "customs_value": money(amount), "procedure_code": "4000", "additional_procedure": "C07"}]}


eori, count, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
bodies = [h1(eori) if i % 4 else h7(eori, "__LRN__") for i in range(count)]
json.dump([json.dumps(b, separators=(",", ":")) for b in bodies], open(out, "w"))
if len(sys.argv) > 5 and sys.argv[4] == "--h7-ndjson":
    n, path = int(sys.argv[5]), sys.argv[6]
    tag = random.randint(0, 1 << 30)
    with open(path, "w") as f:
        for i in range(n):
            f.write(json.dumps(h7(eori, f"BK{tag:x}-{i}"), separators=(",", ":")) + "\n")
