// The layering of STYLE.md ("one engine, one door, hosts side by side") as one local ESLint rule. It resolves
// each relative import against the importing file, so the verdict depends on where the target really lives,
// not on how the path happens to be spelled. Packages (no leading '.') are left to no-restricted-imports.
import path from 'node:path';

const ROOT = path.dirname(new URL(import.meta.url).pathname).replace(/\/build$/, '');

const HOSTS = ['electron/main', 'electron/web-host', 'electron/cli', 'electron/preload'];
/**
 * The engine's public entry: the only core modules a host imports. index: the engine the long-lived hosts
 * serve; ops: the operations every host calls (the CLI in-process); host-support: what a host needs beside
 * them (data folder, file grants, temp folders, the browser opener, the offline sandbox); engine-client: the
 * engine's process seen from a host.
 */
const ENGINE_ENTRY = ['electron/core/engine/index', 'electron/core/engine/ops', 'electron/core/engine/host-support', 'electron/core/engine/engine-client'];
/** Inside core, arrows point down: each layer names the layers it must not import. */
const CORE_FORBIDS = {
  'electron/core/cohort': ['electron/core/sync', 'electron/core/tiktok', 'electron/core/engine'],
  'electron/core/store': ['electron/core/sync', 'electron/core/tiktok', 'electron/core/engine'],
  'electron/core/tiktok': ['electron/core/sync', 'electron/core/engine'],
  'electron/core/sync': ['electron/core/engine'],
  // The offline sandbox plays TikTok's side of the wire: it knows nothing of the client that talks to it.
  'electron/core/sandbox': ['electron/core/sync', 'electron/core/engine', 'electron/core/tiktok'],
};

const within = (rel, dir) => rel === dir || rel.startsWith(`${dir}/`);

/** The module a repo-relative path names, without extension (a folder import names its index). */
function moduleOf(rel) {
  return rel.replace(/\.(ts|tsx|js|mjs)$/, '');
}

/** Why `from` (repo-relative file) must not import `to` (repo-relative module), or null. */
export function layeringProblem(from, to, exceptions = []) {
  const toMod = moduleOf(to);
  if (exceptions.includes(`${moduleOf(from)} -> ${toMod}`)) return null;
  if (within(from, 'shared')) {
    if (within(to, 'electron') || within(to, 'renderer')) return 'shared/ is pure TS for both sides: it imports nothing from electron/ or renderer/.';
    return null;
  }
  if (within(from, 'renderer')) {
    if (!within(to, 'renderer') && !within(to, 'shared')) return 'The renderer imports only renderer/ and shared/: ask the engine through window.api.';
    return null;
  }
  const host = HOSTS.find((h) => within(from, h));
  if (host) {
    if (within(to, host) || within(to, 'shared')) return null;
    const other = HOSTS.find((h) => within(to, h));
    if (other) return `Hosts stand side by side: ${host} never imports ${other}. Move what both need into shared/ or the engine.`;
    if (within(to, 'electron/core')) {
      if (ENGINE_ENTRY.includes(toMod) || toMod === 'electron/core/engine') return null;
      return `A host enters core only through the engine's public entry (${ENGINE_ENTRY.join(', ')}), not ${toMod}.`;
    }
    if (within(to, 'renderer')) return 'A host never imports renderer code.';
    return null;
  }
  for (const [layer, forbidden] of Object.entries(CORE_FORBIDS)) {
    if (!within(from, layer)) continue;
    const hit = forbidden.find((f) => within(to, f));
    if (hit) return `Inside core, arrows point down: ${layer} never imports ${hit}.`;
  }
  return null;
}

/** The repo-relative modules that the relative imports of `source` (the text of repo file `from`, no extension) name. */
export function layeringImports(from, source) {
  const dir = path.posix.dirname(from);
  return [...source.matchAll(/(?:from|import\()\s*['"](\.[^'"]*)['"]/g)].map((m) => moduleOf(path.posix.normalize(path.posix.join(dir, m[1]))));
}

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforces the layering of STYLE.md between hosts, core layers, renderer and shared.' },
    schema: [{ type: 'object', properties: { exceptions: { type: 'array', items: { type: 'string' } } }, additionalProperties: false }],
  },
  create(context) {
    const file = path.relative(ROOT, context.filename).split(path.sep).join('/');
    if (file.startsWith('..')) return {};
    const exceptions = context.options[0]?.exceptions ?? [];
    const check = (node, source) => {
      if (!source || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), source.value));
      const problem = layeringProblem(file, target, exceptions);
      if (problem) context.report({ node: source, message: `${problem} (imports "${source.value}")` });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source.type === 'Literal' ? node.source : null),
    };
  },
};

export default { rules: { layering: rule } };
