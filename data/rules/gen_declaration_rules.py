#!/usr/bin/env python3
"""Generates data/rules/declaration-rules.dmn: the business rules of declaration validation.

Two COLLECT decision tables whose outputs are violations (code, field, message in fi/sv/en):
 - "Declaration Violations" over header attributes,
 - "Item Violations" evaluated once per goods item (field is relative to the item).
Edit this script, not the generated file: python3 data/rules/gen_declaration_rules.py
"""
from xml.sax.saxutils import escape

NS = "https://www.omg.org/spec/DMN/20230324/MODEL/"

HEADER_INPUTS = [("declarationType", "string"), ("additionalType", "string"), ("dispatchCountry", "string"),
                 ("destinationCountry", "string"), ("destinationInEu", "boolean"), ("transportMode", "number"),
                 ("hasRepresentative", "boolean")]
HEADER_RULES = [
    ("Import declarations lodged in Finland have Finland as destination",
     ['"H1","H7"', '-', '-', 'not("FI")', '-', '-', '-'],
     "import_destination", "/country_of_destination",
     "Tuonti-ilmoituksen määrämaan on oltava Suomi (FI).",
     "Importdeklarationens destinationsland ska vara Finland (FI).",
     "An import declaration lodged in Finland must have Finland (FI) as country of destination."),
    ("Goods dispatched from Finland are not imported into Finland",
     ['"H1","H7"', '-', '"FI"', '-', '-', '-', '-'],
     "import_dispatch", "/country_of_dispatch",
     "Suomesta lähetettyjä tavaroita ei tuoda Suomeen.",
     "Varor som avsänts från Finland importeras inte till Finland.",
     "Goods dispatched from Finland cannot be imported into Finland."),
    ("Export declarations lodged in Finland export from Finland",
     ['"B1"', '-', 'not("FI")', '-', '-', '-', '-'],
     "export_dispatch", "/country_of_dispatch",
     "Vienti-ilmoituksen lähtömaan on oltava Suomi (FI).",
     "Exportdeklarationens avsändningsland ska vara Finland (FI).",
     "An export declaration lodged in Finland must have Finland (FI) as country of dispatch/export."),
    ("Exports leave the customs territory of the Union",
     ['"B1"', '-', '-', '-', 'true', '-', '-'],
     "export_destination_in_eu", "/country_of_destination",
     "Vientimaa ei voi olla EU:n jäsenvaltio.",
     "Destinationslandet för export kan inte vara en EU-medlemsstat.",
     "The country of destination of an export cannot be an EU member state."),
    ("Additional declaration type: A (standard) or D (pre-lodged)",
     ['-', 'not("A","D")', '-', '-', '-', '-', '-'],
     "additional_type", "/additional_type",
     "Ilmoituksen lisälajin on oltava A (vakio) tai D (ennakkoon jätetty).",
     "Ytterligare deklarationstyp ska vara A (standard) eller D (i förväg inlämnad).",
     "The additional declaration type must be A (standard) or D (pre-lodged)."),
    ("H7 consignments arrive by post, air or road",
     ['"H7"', '-', '-', '-', '-', 'not(3,4,5)', '-'],
     "h7_transport_mode", "/transport/mode_at_border",
     "H7-lähetyksen kuljetusmuodon rajalla on oltava 3 (maantie), 4 (ilma) tai 5 (posti).",
     "Transportsättet vid gränsen för en H7-sändning ska vara 3 (väg), 4 (flyg) eller 5 (post).",
     "The mode of transport at the border of an H7 consignment must be 3 (road), 4 (air) or 5 (postal)."),
]

ITEM_INPUTS = [("declarationType", "string"), ("requestedProcedure", "string"), ("previousProcedure", "string"),
               ("additionalProcedure", "string"), ("chapter", "string"), ("supportingDocuments", "number")]
ITEM_RULES = [
    ("H7: release for free circulation only (40, or 42 with VAT exemption)",
     ['"H7"', 'not("40","42")', '-', '-', '-', '-'],
     "h7_procedure", "procedure_code",
     "H7-ilmoituksella voi hakea vain luovutusta vapaaseen liikkeeseen (40 tai 42).",
     "En H7-deklaration kan bara avse övergång till fri omsättning (40 eller 42).",
     "An H7 declaration can only request release for free circulation (40 or 42)."),
    ("H7: additional procedure C07 (relief for negligible value)",
     ['"H7"', '-', '-', 'not("C07")', '-', '-'],
     "h7_additional_procedure", "additional_procedure",
     "H7-ilmoituksen lisämenettelyn on oltava C07 (vähäarvoisten lähetysten tullittomuus).",
     "Ytterligare förfarande för en H7-deklaration ska vara C07 (tullfrihet för sändningar av ringa värde).",
     "The additional procedure of an H7 declaration must be C07 (relief for consignments of negligible value)."),
    ("H1: requested procedures of an import declaration",
     ['"H1"', 'not("40","42","51","53","61","63","71")', '-', '-', '-', '-'],
     "import_procedure", "procedure_code",
     "Tuonti-ilmoituksella haettu menettely ei ole sallittu (40, 42, 51, 53, 61, 63, 71).",
     "Det begärda förfarandet är inte tillåtet i en importdeklaration (40, 42, 51, 53, 61, 63, 71).",
     "The requested procedure is not allowed in an import declaration (40, 42, 51, 53, 61, 63, 71)."),
    ("B1: requested procedures of an export declaration",
     ['"B1"', 'not("10","11","23","31")', '-', '-', '-', '-'],
     "export_procedure", "procedure_code",
     "Vienti-ilmoituksella haettu menettely ei ole sallittu (10, 11, 23, 31).",
     "Det begärda förfarandet är inte tillåtet i en exportdeklaration (10, 11, 23, 31).",
     "The requested procedure is not allowed in an export declaration (10, 11, 23, 31)."),
    ("Arms and ammunition (chapter 93) need a licence as a supporting document",
     ['-', '-', '-', '-', '"93"', '0'],
     "licence_required", "supporting_documents",
     "Aseille ja ammuksille (ryhmä 93) on esitettävä lupa liiteasiakirjana.",
     "För vapen och ammunition (kapitel 93) ska en licens anges som styrkande handling.",
     "Arms and ammunition (chapter 93) need a licence as a supporting document."),
    ("H7 cannot be used for excise goods (alcohol, tobacco: chapters 22 and 24)",
     ['"H7"', '-', '-', '-', '"22","24"', '-'],
     "h7_excise_goods", "commodity_code",
     "H7-ilmoitusta ei voi käyttää valmisteveron alaisille tavaroille (ryhmät 22 ja 24).",
     "En H7-deklaration kan inte användas för punktskattepliktiga varor (kapitel 22 och 24).",
     "An H7 declaration cannot be used for excise goods (chapters 22 and 24)."),
]

OUTPUTS = ["code", "field", "message_en", "message_fi", "message_sv"]


def table(decision_id, name, inputs, rules):
    out = []
    out.append(f'  <decision id="{decision_id}" name="{name}">')
    out.append(f'    <variable name="{name}"/>')
    for n, _ in inputs:
        out.append(f'    <informationRequirement><requiredInput href="#input_{n}"/></informationRequirement>')
    out.append(f'    <decisionTable id="{decision_id}Table" hitPolicy="COLLECT">')
    for n, t in inputs:
        out.append(f'      <input id="{decision_id}_in_{n}" label="{n}">')
        out.append(f'        <inputExpression typeRef="{t}"><text>{n}</text></inputExpression>')
        out.append('      </input>')
    for o in OUTPUTS:
        out.append(f'      <output id="{decision_id}_out_{o}" name="{o}" typeRef="string"/>')
    for i, (desc, entries, code, field, fi, sv, en) in enumerate(rules, 1):
        out.append(f'      <rule id="{decision_id}_R{i:03d}">')
        out.append(f'        <description>{escape(desc)}</description>')
        for e in entries:
            out.append(f'        <inputEntry><text>{escape(e)}</text></inputEntry>')
        for v in (code, field, en, fi, sv):
            out.append(f'        <outputEntry><text>{escape(chr(34) + v + chr(34))}</text></outputEntry>')
        out.append('      </rule>')
    out.append('    </decisionTable>')
    out.append('  </decision>')
    return out


lines = ['<?xml version="1.0" encoding="UTF-8"?>',
         f'<definitions xmlns="{NS}" id="declaration-rules" name="Declaration business rules"',
         '    namespace="https://customsdesk.example/rules/declaration-rules">',
         '  <!-- Generated by data/rules/gen_declaration_rules.py: edit the script, not this file. -->']
lines += table("declarationViolations", "Declaration Violations", HEADER_INPUTS, HEADER_RULES)
lines += table("itemViolations", "Item Violations", ITEM_INPUTS, ITEM_RULES)
seen = set()
for n, t in HEADER_INPUTS + ITEM_INPUTS:
    if n in seen:
        continue
    seen.add(n)
    lines.append(f'  <inputData id="input_{n}" name="{n}"><variable name="{n}" typeRef="{t}"/></inputData>')
lines.append('</definitions>')
open(__file__.replace("gen_declaration_rules.py", "declaration-rules.dmn"), "w").write("\n".join(lines) + "\n")
