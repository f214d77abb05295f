// Writes a large handbook for the browser tests: 2,000 documents of four kinds in 10 folders,
// 300 controls in the register, every criterion of the Security category met.
//   node large-handbook.mjs DIR
import fs from "node:fs";
import path from "node:path";

const dir = process.argv[2];
if (!dir) throw new Error("usage: node large-handbook.mjs DIR");
const DOCS = 2000, CONTROLS = 300;
const criteria = [];
for (const [series, n] of [[1, 5], [2, 3], [3, 4], [4, 2], [5, 3], [6, 8], [7, 5], [8, 1], [9, 2]]) {
  for (let i = 1; i <= n; i++) criteria.push(`CC${series}.${i}`);
}
const kinds = ["policy", "procedure", "standard", "plan"];
const areas = ["access", "assets", "backup", "change", "crypto", "hr", "incident", "logging",
  "network", "vendor"];
const pad = (n, w) => String(n).padStart(w, "0");
const control = (k) => `CTL-${pad(k, 3)}`;

fs.mkdirSync(path.join(dir, "policies"), { recursive: true });
fs.writeFileSync(path.join(dir, "site.toml"),
  'title = "Large Handbook"\norganization = "Large Corp"\n\n[scope]\ncategories = []\n');

let yaml = "# 300 controls, each meeting one or two criteria.\n";
for (let k = 1; k <= CONTROLS; k++) {
  const a = criteria[k % criteria.length], b = criteria[(k * 7) % criteria.length];
  const list = a === b ? `[${a}]` : `[${a}, ${b}]`;
  yaml += `- id: ${control(k)}\n  title: ${areas[k % areas.length]} control ${k}\n` +
    `  statement: The ${areas[k % areas.length]} team performs control ${k} and keeps the record.\n` +
    `  owner: ${areas[k % areas.length]} lead\n  frequency: ${["quarterly", "monthly", "annual", "per-event"][k % 4]}\n` +
    (k % 50 === 0 ? "  status: planned\n" : "") +
    `  criteria: ${list}\n  evidence:\n    - name: Record of control ${k}\n      system: Tracker\n`;
}
fs.writeFileSync(path.join(dir, "controls.yaml"), yaml);

for (let d = 1; d <= DOCS; d++) {
  const kind = kinds[d % kinds.length];
  const folder = `${areas[d % areas.length]}/${kind}-${pad(Math.floor(d / 200), 2)}`;
  const k = ((d - 1) % CONTROLS) + 1;
  const file = path.join(dir, "policies", ...folder.split("/").slice(0, 1), `${folder.split("/")[1]}-${pad(d, 4)}.md`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `---
title: ${areas[d % areas.length]} ${kind} ${pad(d, 4)}
kind: ${kind}
owner: ${areas[d % areas.length]} lead
review: annual
controls: [${criteria[d % criteria.length]}]
---
What document ${d} requires, in one paragraph that the control pages quote.

## How it is done {#how controls=${control(k)}}

The ${areas[d % areas.length]} team follows these steps for control ${k}.
`);
}
console.log(`wrote ${DOCS} documents in ${areas.length} folders and ${CONTROLS} controls to ${dir}`);
