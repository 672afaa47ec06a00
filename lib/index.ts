export * from './registry';
export * from './registry-options';
export * from './registry-storage';
export * from './registry-proxy';
export * from './registry-ui';
export * from './private-registry';
export * from './local-registry-hosting';
export * from './secret-key';
