import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'web/', '.data/', '.tmp/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // Tests read JSON responses of many shapes.
    files: ['tests/**/*.ts', '**/*.test.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['orchestrations/**/*.orchestrator.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='Date'][property.name='now']",
          message: 'Orchestrators are replayed: use context.df.currentUtcDateTime.',
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Orchestrators are replayed: use context.df.currentUtcDateTime.',
        },
        {
          selector: "MemberExpression[object.name='Math'][property.name='random']",
          message: 'Orchestrators are replayed: use context.df.newGuid.',
        },
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Orchestrators are replayed: pass configuration in the input.',
        },
      ],
    },
  },
);
