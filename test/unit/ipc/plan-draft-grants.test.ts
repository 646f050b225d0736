/**
 * `sync:plan` of an unsaved draft (#11) names files like `audiences:create` / `audiences:update`: behind the file
 * gate a dry run reads only files the user gave, and plans only what could be saved (no schedule on an upload).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileGrants, withFileGrants } from '../../../electron/core/file-grants';
import type { Handlers } from '../../../shared/ipc/contract';
import { tmpDir } from '../../helpers/tmp';
import { fakeHandlers } from './fake-handlers';

let dir: string;
let cleanup: () => void;
let grants: FileGrants;
let planned: unknown[];
let handlers: Handlers;

const profile = { emailStripPlusAndDots: false, phoneKeepPlus: false, defaultCountry: null };
const create = (sourcePath: string, cadence: { kind: 'manual' } | { kind: 'hourly' }) => ({
  create: { advertiserId: '7000000001', name: 'Draft', keys: [{ key: 'email' as const, column: 'email' }], sourcePath, profile, cadence },
});

beforeEach(() => {
  const t = tmpDir('cohort-relay-plan-draft-');
  dir = t.dir;
  cleanup = t.cleanup;
  writeFileSync(join(dir, 'upload.csv'), 'email\na@example.com\n');
  writeFileSync(join(dir, 'secret.csv'), 'email\nb@example.com\n');
  grants = new FileGrants();
  grants.grant(join(dir, 'upload.csv'), 'upload');
  planned = [];
  const inner = fakeHandlers({
    'audiences:list': async () => [{ id: 3, cadence: { kind: 'manual' }, sourcePath: null, suppressPath: null }] as never,
    'sync:plan': async (req) => {
      planned.push(req);
      return { audienceId: 0 } as never;
    },
  });
  handlers = withFileGrants(inner, grants, { choose: async () => null });
});

afterEach(() => cleanup());

describe('the file gate on dry runs of drafts', () => {
  it('refuses a draft naming a file the user did not give, for a new audience and for a saved one', async () => {
    await expect(handlers['sync:plan'](create(join(dir, 'secret.csv'), { kind: 'manual' }))).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await expect(handlers['sync:plan']({ audienceId: 3, draft: { sourcePath: join(dir, 'secret.csv') } })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(planned).toEqual([]);
  });

  it('plans a given file once, but not an upload on a schedule', async () => {
    await handlers['sync:plan'](create(join(dir, 'upload.csv'), { kind: 'manual' }));
    await expect(handlers['sync:plan'](create(join(dir, 'upload.csv'), { kind: 'hourly' }))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/synced once but not on a schedule/) });
    await expect(handlers['sync:plan']({ audienceId: 3, draft: { sourcePath: join(dir, 'upload.csv'), cadence: { kind: 'hourly' } } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await handlers['sync:plan']({ audienceId: 3, draft: { sourcePath: join(dir, 'upload.csv') } });
    expect(planned).toHaveLength(2);
  });
});
