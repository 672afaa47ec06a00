/**
 * End-to-end tests: the generated configs run by the real programs, one file at a time. Two projects: every suite
 * against Debian's registry 2.8.2, and the registry, proxy and production suites again against registry 3.x (built by
 * scripts/install-e2e-deps.sh); each test's name says which registry it ran.
 */
const base = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/e2e'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' }, sourceMaps: 'inline' }] },
  snapshotResolver: '<rootDir>/test/snapshot-resolver.js',
};
module.exports = {
  testTimeout: 300000,
  projects: [
    // upgrade.e2e.test.ts runs both binaries itself.
    { ...base, displayName: 'registry 2.8.2', testMatch: ['**/*.e2e.test.ts'], setupFiles: ['<rootDir>/test/e2e/registry-2.js'] },
    { ...base, displayName: 'registry 3.1.2', testMatch: ['**/{registry,proxy,production}.e2e.test.ts'], setupFiles: ['<rootDir>/test/e2e/registry-3.js'] },
  ],
};
