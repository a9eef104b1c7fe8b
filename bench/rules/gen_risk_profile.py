#!/usr/bin/env python3
"""Writes data/rules/risk-profile.dmn: a customs risk-profile decision table (DMN 1.5, hit policy
FIRST, 12 inputs, 100 rules) used by the rules benchmark and shipped as a default profile.

Deterministic: the same script always writes the same file. Country codes are ISO 3166-1
alpha-2, commodity codes are real HS 2022 headings (4 digits)."""
import sys
from xml.sax.saxutils import escape

INPUTS = [
    ("originCountry", "string", "Origin country (ISO 3166-1 alpha-2)"),
    ("commodityHeading", "string", "Commodity code: HS heading (4 digits)"),
    ("customsValue", "number", "Customs value (EUR)"),
    ("grossMass", "number", "Gross mass (kg)"),
    ("customerGroup", "string", "Customer group"),
    ("aeoStatus", "string", "AEO status"),
    ("complianceScore", "number", "Compliance score (0-100)"),
    ("transportMode", "number", "Transport mode at the border (UCC code)"),
    ("procedureCode", "string", "Requested procedure code (4 digits)"),
    ("declarantAgeDays", "number", "Days since the declarant's first declaration"),
    ("route", "string", "Route"),
    ("previousFindings", "number", "Findings in the last 24 months"),
]
N = len(INPUTS)
COL = {name: i for i, (name, _, _) in enumerate(INPUTS)}


def q(*codes):
    return ",".join('"%s"' % c for c in codes)


rules = []


def rule(channel, reason, **tests):
    entries = ["-"] * N
    for k, v in tests.items():
        entries[COL[k]] = v
    rules.append((entries, channel, reason))


# 1. Prohibitions and sanctions (red).
rule("red", "Arms from a sanctioned origin", originCountry=q("IR", "KP", "SY"), commodityHeading=q("9304", "9306"))
rule("red", "Any goods from a sanctioned origin by sea", originCountry=q("KP"), transportMode="1")
rule("red", "Dual-use transmitters to an embargoed destination route", originCountry=q("IR", "SY"), commodityHeading=q("8525", "8517", "8542"))
rule("red", "Ammunition with previous findings", commodityHeading=q("9306"), previousFindings=">= 1")
rule("red", "Firearms declared by a new declarant", commodityHeading=q("9304"), declarantAgeDays="< 365")
rule("red", "Gold in small consignments by air", commodityHeading=q("7108"), transportMode="4", grossMass="< 50")
rule("red", "Gold of high value from a free zone", commodityHeading=q("7108"), route='"free zone"', customsValue=">= 100000")
# 2. Drug precursors and medicines.
for origin in ("CN", "IN"):
    rule("red", "Precursor chemicals from %s with previous findings" % origin, originCountry=q(origin), commodityHeading=q("2933"), previousFindings=">= 1")
    rule("orange", "Precursor chemicals from %s, new declarant" % origin, originCountry=q(origin), commodityHeading=q("2933"), declarantAgeDays="< 180")
rule("orange", "Medicaments by post", commodityHeading=q("3004"), transportMode="5")
rule("orange", "Medicaments from outside the main supply countries", commodityHeading=q("3004"), originCountry="not(" + q("US", "CH", "GB", "JP", "IN") + ")")
rule("yellow", "Medicaments of low value", commodityHeading=q("3004"), customsValue="< 1000")
# 3. Excise goods.
rule("red", "Cigarettes transshipped, high value", commodityHeading=q("2402"), route='"transshipment"', customsValue=">= 10000")
rule("red", "Cigarettes from a free zone", commodityHeading=q("2402"), route='"free zone"')
rule("orange", "Cigarettes, new customer", commodityHeading=q("2402"), customerGroup='"new"')
rule("orange", "Raw tobacco in bulk", commodityHeading=q("2401"), grossMass=">= 10000")
rule("orange", "Spirits transshipped", commodityHeading=q("2208"), route='"transshipment"')
rule("yellow", "Spirits under suspension by a non-AEO", commodityHeading=q("2208"), procedureCode=q("7100", "0700"), aeoStatus='"none"')
rule("yellow", "Wine under excise suspension, occasional trader", commodityHeading=q("2204"), customerGroup='"occasional"')
rule("orange", "Fuel oils relieved from duty (4200) by a new declarant", commodityHeading=q("2710"), procedureCode=q("4200"), declarantAgeDays="< 365")
# 4. Undervaluation of textiles, footwear and bags (value vs mass).
textile_origins = ("CN", "BD", "VN", "PK", "TR", "IN")
for heading in ("6109", "6110", "6204", "6403", "6404", "4202"):
    rule("orange", "Possible undervaluation of %s" % heading, commodityHeading=q(heading), originCountry=q(*textile_origins), customsValue="< 5000", grossMass="> 2000")
    rule("yellow", "Low-value %s, low compliance" % heading, commodityHeading=q(heading), complianceScore="< 50", customsValue="< 20000")
# 5. IPR: counterfeit-prone goods.
for heading in ("9102", "3303", "4202"):
    rule("orange", "Counterfeit-prone %s by post or air, small consignment" % heading, commodityHeading=q(heading), transportMode="4,5", grossMass="<= 30", originCountry=q("CN", "HK", "TR", "TH"))
# 6. Safety: toys, electrical goods, batteries, tyres.
rule("orange", "Toys from a new declarant", commodityHeading=q("9503"), declarantAgeDays="< 90")
rule("yellow", "Toys, occasional importer", commodityHeading=q("9503"), customerGroup='"occasional"')
rule("orange", "Lithium batteries by air", commodityHeading=q("8507"), transportMode="4", grossMass="> 100")
rule("yellow", "Power converters without AEO", commodityHeading=q("8504"), aeoStatus='"none"', customsValue="[1000..50000)")
rule("yellow", "Refrigerators with old refrigerant risk", commodityHeading=q("8418"), originCountry=q("CN", "TR", "TH"), complianceScore="< 70")
rule("yellow", "Used tyres in bulk", commodityHeading=q("4011"), grossMass=">= 5000", customsValue="< 10000")
rule("yellow", "Monitors below market value", commodityHeading=q("8528"), customsValue="< 2000", grossMass="> 500")
# 7. Agriculture and food safety.
rule("orange", "Frozen fish from high-risk origins", commodityHeading=q("0303"), originCountry=q("EC", "VN", "CN", "IN"), previousFindings=">= 1")
rule("orange", "Beef from outside approved establishments list", commodityHeading=q("0201"), originCountry="not(" + q("BR", "US", "GB", "NO", "CH", "JP") + ")")
rule("yellow", "Rice in bulk by sea", commodityHeading=q("1006"), transportMode="1", grossMass=">= 20000")
rule("yellow", "Sugar under quota procedure", commodityHeading=q("1701"), procedureCode=q("5100", "5300"))
rule("yellow", "Citrus from aflatoxin and pest origins", commodityHeading=q("0805"), originCountry=q("EG", "MA", "ZA", "TR"))
rule("yellow", "Coffee, first shipments", commodityHeading=q("0901"), declarantAgeDays="< 120")
rule("yellow", "Pesticides from a non-AEO", commodityHeading=q("3808"), aeoStatus='"none"')
rule("yellow", "Sawn wood from illegal-logging risk origins", commodityHeading=q("4407"), originCountry=q("BR", "ID", "MY", "RU", "BY"))
# 8. Trade defence: steel and aluminium (anti-dumping, safeguards).
for origin in ("CN", "RU", "TR", "IN", "UA", "KR"):
    rule("orange", "Flat-rolled steel from %s: anti-dumping / origin" % origin, commodityHeading=q("7208"), originCountry=q(origin), grossMass=">= 10000")
rule("orange", "Aluminium plates routed through a third country", commodityHeading=q("7606"), route='"transshipment"', originCountry=q("MY", "TH", "VN"))
rule("yellow", "Aluminium plates from CN", commodityHeading=q("7606"), originCountry=q("CN"))
# 9. Sanctions circumvention: dual-use and high-priority items via neighbouring countries.
for origin in ("AE", "KZ", "TR", "HK", "BY"):
    rule("orange", "High-priority electronics via %s" % origin, originCountry=q(origin), commodityHeading=q("8542", "8517", "8525", "8471"), customsValue=">= 20000")
rule("orange", "Vehicles re-exported via neighbouring countries", commodityHeading=q("8703", "8708"), originCountry=q("KZ", "BY", "AE"), route='"transshipment"')
# 10. VAT fraud: customs procedure 42.
rule("orange", "Procedure 4200 by a new declarant, high value", procedureCode=q("4200"), declarantAgeDays="< 180", customsValue=">= 50000")
rule("orange", "Procedure 4200 with previous findings", procedureCode=q("4200"), previousFindings=">= 2")
rule("yellow", "Procedure 4200, occasional trader", procedureCode=q("4200"), customerGroup='"occasional"')
rule("yellow", "Procedure 4071 without AEO", procedureCode=q("4071"), aeoStatus='"none"', complianceScore="< 60")
# 11. E-commerce and postal consignments.
rule("yellow", "Postal consignment above the low-value threshold", transportMode="5", customsValue="(150..1000]")
rule("orange", "Postal consignment of high value", transportMode="5", customsValue="> 1000")
rule("yellow", "Air express with inconsistent mass", transportMode="4", grossMass="< 1", customsValue=">= 500")
# 12. Trader profile.
rule("red", "Very low compliance with repeated findings", complianceScore="< 20", previousFindings=">= 3")
rule("orange", "Very low compliance", complianceScore="< 20")
rule("orange", "Repeated findings", previousFindings=">= 3")
rule("orange", "New declarant, very high value", declarantAgeDays="< 30", customsValue=">= 100000")
rule("orange", "New customer, high value, no AEO", customerGroup='"new"', aeoStatus='"none"', customsValue=">= 250000")
rule("yellow", "New declarant", declarantAgeDays="< 30")
rule("yellow", "Low compliance, high value", complianceScore="[20..40)", customsValue=">= 50000")
rule("yellow", "Findings with low compliance", previousFindings="[1..2]", complianceScore="< 60")
rule("yellow", "Free-zone routing without AEO", route='"free zone"', aeoStatus='"none"')
rule("yellow", "Transshipment of high-value goods by a new customer", route='"transshipment"', customerGroup='"new"', customsValue=">= 20000")
rule("yellow", "Inward processing (5100) without AEO and with findings", procedureCode=q("5100"), aeoStatus='"none"', previousFindings=">= 1")
rule("yellow", "Return of goods (6000 family not allowed here)", procedureCode=q("3151"), customsValue=">= 100000")
rule("yellow", "Bulk road transport, low compliance", transportMode="3", grossMass=">= 20000", complianceScore="< 50")
rule("yellow", "Rail consignments from CN, new declarant", transportMode="2", originCountry=q("CN"), declarantAgeDays="< 365")
# 13. Facilitation (green lanes) for reliable traders.
rule("green", "AEO-F with high compliance and no findings", aeoStatus='"AEOF"', complianceScore=">= 80", previousFindings="0")
rule("green", "AEO-C trusted trader", aeoStatus='"AEOC"', customerGroup='"trusted"', complianceScore=">= 70", previousFindings="0")
rule("green", "Trusted customer, long history", customerGroup='"trusted"', declarantAgeDays=">= 1825", previousFindings="0")
rule("yellow", "Regular customer with one finding and medium score", customerGroup='"regular"', previousFindings="1", complianceScore="[40..70)")
rule("green", "Regular customer, good score, low value", customerGroup='"regular"', complianceScore=">= 60", customsValue="< 10000")
# 14. Random control share (yellow) of the remaining high-value flows, then the default.
rule("yellow", "High value without AEO", aeoStatus='"none"', customsValue=">= 200000")
rule("yellow", "Heavy consignment by air", transportMode="4", grossMass=">= 5000")
rule("yellow", "Medium compliance, medium value", complianceScore="[40..60)", customsValue="[20000..100000)")
rule("yellow", "Occasional trader by sea, high mass", customerGroup='"occasional"', transportMode="1", grossMass=">= 15000")
rule("yellow", "Vehicles without AEO", commodityHeading=q("8703"), aeoStatus='"none"')
rule("yellow", "Vehicle parts from new declarants", commodityHeading=q("8708"), declarantAgeDays="< 365")
rule("yellow", "Plastics articles, low compliance", commodityHeading=q("3926"), complianceScore="< 40")
rule("green", "Everything else", )

assert len(rules) == 100, len(rules)


def main(path):
    out = []
    w = out.append
    w('<?xml version="1.0" encoding="UTF-8"?>')
    w('<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" id="risk-profile" name="Customs risk profile"')
    w('    namespace="https://customsdesk.example/rules/risk-profile">')
    w('  <!-- Generated by bench/rules/gen_risk_profile.py: edit the script, not this file. -->')
    w('  <decision id="controlChannel" name="Control Channel">')
    w('    <variable name="Control Channel"/>')
    for name, _, _ in INPUTS:
        w('    <informationRequirement><requiredInput href="#input_%s"/></informationRequirement>' % name)
    w('    <decisionTable id="riskProfileTable" hitPolicy="FIRST" outputLabel="Control Channel">')
    for name, typ, label in INPUTS:
        w('      <input id="in_%s" label="%s">' % (name, escape(label)))
        w('        <inputExpression typeRef="%s"><text>%s</text></inputExpression>' % (typ, name))
        w('      </input>')
    w('      <output id="out_channel" name="channel" typeRef="string">')
    w('        <outputValues><text>"red","orange","yellow","green"</text></outputValues>')
    w('      </output>')
    w('      <output id="out_reason" name="reasonCode" typeRef="string"/>')
    for i, (entries, channel, reason) in enumerate(rules, 1):
        w('      <rule id="R%03d">' % i)
        w('        <description>%s</description>' % escape(reason))
        for e in entries:
            w('        <inputEntry><text>%s</text></inputEntry>' % escape(e))
        w('        <outputEntry><text>"%s"</text></outputEntry>' % channel)
        w('        <outputEntry><text>"R%03d"</text></outputEntry>' % i)
        w('      </rule>')
    w('    </decisionTable>')
    w('  </decision>')
    for name, typ, label in INPUTS:
        w('  <inputData id="input_%s" name="%s"><variable name="%s" typeRef="%s"/></inputData>' % (name, name, name, typ))
    w('</definitions>')
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "data/rules/risk-profile.dmn")
