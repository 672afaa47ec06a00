// Selects Debian's registry 2.8.2 for this jest project (see test/e2e/harness.ts REGISTRY).
process.env.E2E_REGISTRY = '2';
