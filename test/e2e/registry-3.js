// Selects registry 3.x, built by scripts/install-e2e-deps.sh, for this jest project (see test/e2e/harness.ts REGISTRY).
process.env.E2E_REGISTRY = '3';
