// Validates the OpenAPI document with a real validator (@apidevtools/swagger-parser: schema
// validation of the OpenAPI 3.1 document plus its own consistency checks). The document is
// src/customsdesk/api/openapi.json merged with the module fragments openapi_<module>.json beside it,
// exactly as the server assembles it (api::OpenApiDocument). Usage:
//   node tests/openapi/validate.mjs [FILE]   (a FILE is validated as it is, without fragments)
// Prints one line per problem and ends with "N passed, N failed".
import SwaggerParser from "@apidevtools/swagger-parser";
import { readFileSync, readdirSync } from "node:fs";

function assemble() {
  const dir = "src/customsdesk/api";
  const doc = JSON.parse(readFileSync(`${dir}/openapi.json`, "utf8"));
  for (const name of readdirSync(dir).filter((f) => /^openapi_.+\.json$/.test(f)).sort()) {
    const frag = JSON.parse(readFileSync(`${dir}/${name}`, "utf8"));
    for (const [k, v] of Object.entries(frag.paths ?? {})) {
      if (k in doc.paths) throw new Error(`${name} repeats path ${k}`);
      doc.paths[k] = v;
    }
    for (const [k, v] of Object.entries(frag.components?.schemas ?? {})) {
      if (k in doc.components.schemas) throw new Error(`${name} repeats schema ${k}`);
      doc.components.schemas[k] = v;
    }
    doc.tags.push(...(frag.tags ?? []));
  }
  return ["src/customsdesk/api/openapi*.json", doc];
}

const [file, doc] = process.argv[2] ? [process.argv[2], JSON.parse(readFileSync(process.argv[2], "utf8"))] : assemble();
let failed = 0;
try {
  const api = await SwaggerParser.validate(structuredClone(doc));
  const ops = Object.values(api.paths).reduce((n, p) => n + Object.keys(p).length, 0);
  console.log(`${file}: valid OpenAPI ${api.openapi}, ${Object.keys(api.paths).length} paths, ${ops} operations`);
} catch (err) {
  failed = 1;
  console.log(`${file}: INVALID: ${err.message}`);
}
console.log(`${1 - failed} passed, ${failed} failed`);
process.exit(failed);
