/**
 * Preloaded into every Node process of a test run (`NODE_OPTIONS=--import ./test/leak-keep.mjs`, set by
 * test/run.sh together with COHORT_RELAY_LEAK_ROOT and TMPDIR): before anything under the run's temp folder is
 * removed with fs.rm / fs.rmSync / fs.promises.rm, each of its files is hard-linked into
 * `<root>/.kept/<pid>-<n>/`, so test/helpers/leak-check.ts can scan every data folder and temp folder the tests and the
 * app wrote, after the tests cleaned them up. Hard links copy nothing. Never throws: a file it cannot keep is
 * simply not kept.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';

const root = process.env.COHORT_RELAY_LEAK_ROOT ? path.resolve(process.env.COHORT_RELAY_LEAK_ROOT) : null;
let seq = 0;

function keep(target) {
  try {
    const abs = path.resolve(String(target));
    const kept = path.join(root, '.kept');
    if (!abs.startsWith(root + path.sep) || abs.startsWith(kept + path.sep)) return;
    const into = path.join(kept, `${process.pid}-${++seq}`, path.relative(root, abs));
    const walk = (from, to) => {
      const st = fs.lstatSync(from);
      if (st.isDirectory()) {
        for (const name of fs.readdirSync(from)) walk(path.join(from, name), path.join(to, name));
      } else if (st.isFile()) {
        fs.mkdirSync(path.dirname(to), { recursive: true });
        fs.linkSync(from, to);
      }
    };
    walk(abs, into);
  } catch {
    // Gone already, or not ours to read: nothing to keep.
  }
}

if (root) {
  const rmSync = fs.rmSync;
  const rm = fs.rm;
  const rmP = fs.promises.rm;
  fs.rmSync = function (p, ...rest) {
    keep(p);
    return rmSync.call(this, p, ...rest);
  };
  fs.rm = function (p, ...rest) {
    keep(p);
    return rm.call(this, p, ...rest);
  };
  fs.promises.rm = function (p, ...rest) {
    keep(p);
    return rmP.call(this, p, ...rest);
  };
  syncBuiltinESMExports();
}
