// The rules construct libraries use (cdk8s, cdk8s-plus, the AWS CDK): member ordering, import order, no shadowing,
// jest's valid-expect. Run by `npm test` beside tsc and jest.
import jest from 'eslint-plugin-jest';
import simpleImportSort from 'eslint-plugin-simple-import-sort';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['test/fixtures/**', 'imports/**', 'build/**', 'dist/**', 'dist-private/**', 'docs/**', 'node_modules/**', 'test/cluster/k8s/**', '.scratch/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser, parserOptions: { project: false } },
    plugins: { '@typescript-eslint': tseslint.plugin, 'simple-import-sort': simpleImportSort },
    rules: {
      '@typescript-eslint/member-ordering': ['error', {
        default: [
          'public-static-field', 'public-static-method', 'protected-static-field', 'private-static-field',
          'public-instance-field', 'protected-instance-field', 'private-instance-field',
          'constructor',
          'public-instance-method', 'protected-instance-method', 'private-instance-method',
        ],
      }],
      // Node built-ins and packages first, then the project's own modules; each group sorted.
      'simple-import-sort/imports': ['error', { groups: [['^node:', '^@?\\w'], ['^\\.']] }],
      'no-duplicate-imports': 'error',
      'no-shadow': 'off',
      '@typescript-eslint/no-shadow': ['error', { hoist: 'all' }],
      '@typescript-eslint/no-require-imports': 'error',
      'no-throw-literal': 'error',
      'eqeqeq': ['error', 'always', { null: 'ignore' }],
      'prefer-const': 'error',
    },
  },
  {
    files: ['test/**/*.ts'],
    plugins: { jest, '@typescript-eslint': tseslint.plugin },
    rules: {
      'jest/valid-expect': 'error',
      'jest/no-identical-title': 'error',
      'jest/no-focused-tests': 'error',
      'jest/no-disabled-tests': 'error',
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
);
