// Writes the package.json that jsii compiles build/jsii/ with: the project's name, version and description, the
// `jsii` section (targets and output folder), and cdk8s, cdk8s-plus-27 and constructs as peer dependencies at the
// versions the project pins. `yaml` is not a jsii module, so it is bundled. Usage: node scripts/jsii-package.js DIR
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const pkg = require(path.join(root, 'package.json'));
const jsiiModules = ['cdk8s', 'cdk8s-plus-27', 'constructs'];

const out = {
  name: pkg.name,
  version: pkg.version,
  description: pkg.description,
  license: pkg.license,
  keywords: pkg.keywords,
  author: { name: 'cdk8s-private-registry maintainers', organization: true },
  repository: { type: 'git', url: 'https://example.invalid/cdk8s-private-registry.git' },
  main: 'lib/index.js',
  types: 'lib/index.d.ts',
  engines: pkg.engines,
  dependencies: { yaml: pkg.dependencies.yaml },
  bundleDependencies: ['yaml'],
  peerDependencies: Object.fromEntries(jsiiModules.map((m) => [m, pkg.peerDependencies[m]])),
  devDependencies: Object.fromEntries(jsiiModules.map((m) => [m, pkg.devDependencies[m]])),
  jsii: {
    outdir: 'packages',
    versionFormat: 'full',
    targets: {
      python: { distName: 'cdk8s-private-registry', module: 'cdk8s_private_registry' },
    },
  },
};
fs.writeFileSync(path.join(process.argv[2], 'package.json'), JSON.stringify(out, null, 2) + '\n');
