/** End-to-end tests: the generated configs run by the real docker-registry, nginx and skopeo, one file at a time. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.e2e.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' }, sourceMaps: 'inline' }] },
  testTimeout: 300000,
  snapshotResolver: '<rootDir>/test/snapshot-resolver.js',
};
