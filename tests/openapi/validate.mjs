// Validates the OpenAPI document with a real validator (@apidevtools/swagger-parser: schema
// validation of the OpenAPI 3.1 document plus its own consistency checks). Usage:
//   node tests/openapi/validate.mjs [FILE]   (default: src/customsdesk/api/openapi.json)
// Prints one line per problem and ends with "N passed, N failed".
import SwaggerParser from "@apidevtools/swagger-parser";
import { readFileSync } from "node:fs";

const file = process.argv[2] ?? "src/customsdesk/api/openapi.json";
const doc = JSON.parse(readFileSync(file, "utf8"));
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
