#!/usr/bin/env node
// `npm run changelog:stamp`: records in CHANGELOG.md's Unreleased section the hash of the rendered output (every
// snapshot, dist/ and dist-private/), after you have written down there what changed. test/changelog.test.ts fails
// while the recorded hash and the output disagree.
'use strict';
const fs = require('fs');
const path = require('path');
const { renderedOutputHash } = require('./rendered-output');

const file = path.join(__dirname, '..', 'CHANGELOG.md');
const text = fs.readFileSync(file, 'utf8');
const hash = renderedOutputHash();
const updated = text.replace(/<!-- rendered-output: [0-9a-f]{64} -->/, `<!-- rendered-output: ${hash} -->`);
if (updated === text && !text.includes(hash)) {
  console.error('CHANGELOG.md has no "<!-- rendered-output: ... -->" line in its Unreleased section');
  process.exit(1);
}
fs.writeFileSync(file, updated);
console.log(`CHANGELOG.md: rendered-output ${hash}`);
