'use strict';
// The hash of everything a reviewer sees rendered: the jest snapshots and the committed dist/ and dist-private/.
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const DIRS = ['__snapshots__', 'dist', 'dist-private'];

function renderedOutputHash() {
  const hash = crypto.createHash('sha256');
  for (const dir of DIRS) {
    for (const name of fs.readdirSync(path.join(root, dir)).sort()) {
      hash.update(`${dir}/${name}\0`);
      hash.update(fs.readFileSync(path.join(root, dir, name)));
      hash.update('\0');
    }
  }
  return hash.digest('hex');
}

module.exports = { renderedOutputHash, DIRS };
