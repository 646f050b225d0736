// Lint, including the layering rules of STYLE.md: folders are runtimes, and crossing them wrongly fails CI.
import tseslint from 'typescript-eslint';
import layering from './build/eslint-layering.js';

const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'path', 'os', 'crypto', 'child_process', 'worker_threads', 'http', 'https', 'net', 'stream', 'url', 'util', 'zlib', 'events', 'readline'];
const nativeModules = ['better-sqlite3', 'keytar', 'electron', 'ws', 'papaparse'];

// Imports that break the layering, one 'from -> to' module pair each, so that any NEW violation fails. None left
// (#13 §2): every host — the CLI's commands, the Electron main process, the web host — enters core only through the
// engine's entry (engine/index, ops, host-support, engine-client). Keep these lists empty.
export const cliLayeringExceptions = [];
// None left: the Electron main process and the web host enter core only through the engine's entry (#13 §2).
export const hostLayeringExceptions = [];

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'test-results/**', 'playwright-report/**', '.reports/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.property.name='only'][callee.object.name=/^(it|test|describe)$/]", message: 'A focused test silently skips the rest of the suite.' }],
    },
  },
  {
    // Hosts side by side, each entering core only through the engine's entry; core's arrows point down;
    // renderer → renderer and shared; shared → nothing of electron/ or renderer/ (build/eslint-layering.js).
    files: ['electron/**/*.ts', 'shared/**/*.ts', 'renderer/**/*.ts', 'renderer/**/*.tsx'],
    plugins: { local: layering },
    rules: { 'local/layering': ['error', { exceptions: [...cliLayeringExceptions, ...hostLayeringExceptions] }] },
  },
  {
    files: ['electron/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'electron/core is plain Node: move Electron code to electron/main.' }], patterns: [{ group: ['electron/*'], message: 'electron/core is plain Node.' }, { group: ['**/main/**', '**/preload/**', '**/renderer/**', '**/web-host/**', '**/cli/**'], message: 'core is the engine: hosts import core, never the reverse.' }] }],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: nodeBuiltins, message: 'The renderer never imports Node: ask the engine over IPC.' }, { group: nativeModules, message: 'The renderer never imports native modules or Electron: ask the engine over IPC.' }, { group: ['**/electron/**'], message: 'The renderer talks to the engine only through window.api.' }] }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: [...nodeBuiltins, ...nativeModules], message: 'shared/ is pure TS for both sides: no Node, no native modules.' }, { group: ['**/electron/**', '**/renderer/**'], message: 'shared/ depends on nothing of the hosts.' }] }],
    },
  },
);
