/** The cluster suite: a real single-node Kubernetes per file (test/cluster/node.sh), one file at a time. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/cluster'],
  testMatch: ['**/*.cluster.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' }, sourceMaps: 'inline' }] },
  testTimeout: 600000,
  snapshotResolver: '<rootDir>/test/snapshot-resolver.js',
};
