// Peer engine for the rules benchmark: evaluates the same risk-profile table over the same rows
// (same pools, same xorshift32 sequence as bench/rules/rules_bench.cpp) with dmn-eval-js, reports
// evaluations per second, and writes the reason code per row for the agreement check.
// Usage: node peer.js DMN_FILE POOLS_JSON N OUT_FILE
'use strict';
const fs = require('fs');
const { decisionTable } = require('@hbtgmbh/dmn-eval-js');
const loglevel = require('loglevel');
loglevel.getLogger('dmn-eval-js').setLevel('error');

const [dmnFile, poolsFile, nText, outFile] = process.argv.slice(2);
const n = parseInt(nText, 10);
// dmn-eval-js reads DMN 1.1 (dmn-moddle 4): present the same table under the DMN 1.1 namespace.
const xml = fs.readFileSync(dmnFile, 'utf8')
  .replace('https://www.omg.org/spec/DMN/20230324/MODEL/', 'http://www.omg.org/spec/DMN/20151101/dmn.xsd');
const pools = JSON.parse(fs.readFileSync(poolsFile, 'utf8'));

const inputs = ['originCountry', 'commodityHeading', 'customsValue', 'grossMass', 'customerGroup', 'aeoStatus',
  'complianceScore', 'transportMode', 'procedureCode', 'declarantAgeDays', 'route', 'previousFindings'];
const findings = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 3, 4, 5];
function numberPool(name, size) {
  const out = [];
  for (let k = 0; k < size; k++) {
    if (name === 'customsValue') out.push(((k * 2654435761) % 50000000) / 100);
    if (name === 'grossMass') out.push(((k * 40503) % 4000000) / 100);
    if (name === 'complianceScore') out.push(k % 101);
    if (name === 'declarantAgeDays') out.push((k * 7919) % 5000);
    if (name === 'previousFindings') out.push(findings[k % 16]);
  }
  return out;
}
const poolOf = inputs.map((name) => (pools[name] !== undefined ? pools[name] : numberPool(name, pools.numberPoolSize)));

let x = 2463534242;
function next() {
  x = (x ^ (x << 13)) >>> 0;
  x = (x ^ (x >>> 17)) >>> 0;
  x = (x ^ (x << 5)) >>> 0;
  return x;
}
const rows = [];
for (let r = 0; r < n; r++) {
  const row = {};
  for (let i = 0; i < inputs.length; i++) row[inputs[i]] = poolOf[i][next() % poolOf[i].length];
  rows.push(row);
}

decisionTable.parseDmnXml(xml).then((decisions) => {
  const reasons = new Array(n);
  // Warm-up, then one timed pass over all rows.
  for (let r = 0; r < Math.min(n, 2000); r++) decisionTable.evaluateDecision('controlChannel', decisions, rows[r]);
  const start = process.hrtime.bigint();
  for (let r = 0; r < n; r++) {
    const res = decisionTable.evaluateDecision('controlChannel', decisions, rows[r]);
    reasons[r] = res && res.reasonCode ? res.reasonCode : 'none';
  }
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  fs.writeFileSync(outFile, reasons.join('\n') + '\n');
  console.log(`peer dmn-eval-js: ${n} evaluations in ${secs.toFixed(3)} s`);
  console.log(`RESULT peer_rate ${Math.round(n / secs)}`);
}).catch((err) => {
  console.error('peer failed:', err);
  process.exit(1);
});
