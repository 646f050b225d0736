import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { Handlers } from '../../../shared/ipc/contract';
import { createEventHub } from '../../../shared/ipc/events';
import { UploadLifetime } from '../../../electron/web-host/upload-lifetime';
import { tmpDir } from '../../helpers/tmp';

// Named like the web host's upload folder: the copy stands for a file the user gave it (the leak check allows those).
const t = tmpDir('cohort-relay-uploads-ws-');
afterEach(() => t.cleanup());

it("keeps an upload copy a run reads when another workspace's run of the same audience id finishes (#14 §2)", async () => {
  const copy = path.join(t.dir, 'up-1', 'cohort.csv');
  fs.mkdirSync(path.dirname(copy), { recursive: true });
  fs.writeFileSync(copy, 'email\na@example.com\n');
  const handlers = {
    'audiences:get': async () => ({ sourcePath: copy, suppressPath: null }),
    'sync:run': async () => ({ runId: 7 }),
  } as unknown as Handlers;
  const lifetime = new UploadLifetime(handlers);
  lifetime.added(copy);
  const hub = createEventHub();
  lifetime.follow(hub);
  await lifetime.wrap(handlers)['sync:run']({ audienceId: 1 });

  hub.emit('run:finished', { runId: 3, audienceId: 1, status: 'done', trigger: 'schedule', error: null, workspace: { id: 'acme', name: 'Acme', audienceName: 'Other' } });
  await new Promise((r) => setTimeout(r, 20));
  expect(fs.existsSync(copy)).toBe(true);

  hub.emit('run:finished', { runId: 7, audienceId: 1, status: 'done', trigger: 'manual', error: null });
  await new Promise((r) => setTimeout(r, 20));
  expect(fs.existsSync(copy)).toBe(false);
});
