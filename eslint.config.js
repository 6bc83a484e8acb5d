import tseslint from 'typescript-eslint';

// Type-aware rules where they catch real bugs: a forgotten promise in signaling code is one.
export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'apps/meet/scripts/**', 'e2e/pages/**', '**/*.config.ts', 'eslint.config.js', 'scripts/**'] },
  {
    files: ['packages/*/src/**/*.ts', 'apps/*/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
);
