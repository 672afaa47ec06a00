/**
 * Unit tests: transpile-only with swc (tsc type-checks once in `npm test`), snapshots in the top-level
 * __snapshots__/.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/e2e/', '/cluster/'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' }, sourceMaps: 'inline' }] },
  snapshotResolver: '<rootDir>/test/snapshot-resolver.js',
};
