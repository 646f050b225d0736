/**
 * The CLI's one error path (electron/cli/main.ts): a command's unknown or missing sub-command is answered with its usage
 * laid out one form a line, as --help shows it; and a command run with --json prints its errors as JSON on stdout
 * ({"error": {"code", "message"}}) with the exit code it would have without --json. Real store in a temp home.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../../electron/core/store';
import { acquireAudienceLock } from '../../../electron/core/sync/locks';
import { cli } from '../../helpers/cli';
import { cliHomeWithAudienceForEachTest } from '../../helpers/cli-home';

let dir: string;
let env: NodeJS.ProcessEnv;
let id: number;
cliHomeWithAudienceForEachTest((home) => ({ dir, env, id } = home));

describe('usage of a command with sub-commands', () => {
  it('use frob / use: the message, then the usage one form a line (exit 2)', async () => {
    const r = await cli(['use', 'frob'], env);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n');
    expect(lines[0]).toBe('error: Unknown "use frob". Usage: cohort-relay use adgroups --audience-id N                      campaigns and ad groups, and how each uses the audience');
    expect(lines[1]).toMatch(/^ {2}cohort-relay use usage --audience-id N/);
    expect(lines.filter((l) => l.startsWith('  cohort-relay use '))).toHaveLength(10);
    expect((await cli(['use'], env)).stderr).toMatch(/^error: Say what to do with "use"\. Usage: cohort-relay use adgroups .*\n {2}cohort-relay use usage/);
  });

  it('workspaces frob: the usage one form a line, as --help shows it', async () => {
    const r = await cli(['workspaces', 'frob'], env);
    expect(r.code).toBe(2);
    const help = (await cli(['workspaces', '--help'], env)).stdout;
    const usage = help.slice(help.indexOf('Usage: ')).split('\n').slice(0, 5).join('\n');
    expect(r.stderr).toBe(`error: Unknown "workspaces frob". ${usage}\n`);
  });
});

describe('errors of a command run with --json', () => {
  it('bad input: JSON on stdout, nothing on stderr, exit 2 as without --json', async () => {
    const plain = await cli(['schedule', 'add', '--audience-id', String(id + 9), '--every', 'hourly'], env);
    expect(plain.code).toBe(2);
    const r = await cli(['schedule', 'add', '--audience-id', String(id + 9), '--every', 'hourly', '--json'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: 'INVALID_ARGUMENT', message: `No audience with local id ${id + 9}. Run "cohort-relay status" to list audiences.` } });
    expect(plain.stderr).toBe(`error: ${(JSON.parse(r.stdout) as { error: { message: string } }).error.message}\n`);
  });

  it('an option the command does not know: JSON with the usage, exit 2', async () => {
    const r = await cli(['schedule', 'list', '--bogus', '--json'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('');
    const e = (JSON.parse(r.stdout) as { error: { code: string; message: string } }).error;
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toMatch(/^Unknown option '--bogus'.*\. Usage: cohort-relay schedule add /);
  });

  it('an unknown command, or --json given to a command without it: still JSON on stdout, exit 2', async () => {
    const unknown = await cli(['frob', '--json'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('');
    expect(JSON.parse(unknown.stdout)).toEqual({ error: { code: 'INVALID_ARGUMENT', message: 'Unknown command "frob". Run "cohort-relay --help" for the list of commands.' } });
    const daemon = await cli(['daemon', '--json'], env);
    expect(daemon.code).toBe(2);
    expect(daemon.stderr).toBe('');
    expect((JSON.parse(daemon.stdout) as { error: { message: string } }).error.message).toMatch(/^Unknown option '--json'/);
    expect((await cli(['frob'], env)).stderr).toBe('error: unknown command "frob". Run "cohort-relay --help" for the list of commands.\n');
  });

  it('a refusal (exit 1): the error code and message as JSON, and nothing is deleted', async () => {
    const store = Store.open(path.join(dir, 'home'));
    const release = acquireAudienceLock(store, id, 'a sync in the desktop app');
    try {
      const r = await cli(['delete', '--audience-id', String(id), '--yes', '--json'], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toEqual({ error: { code: 'SYNC_RUNNING', message: expect.stringMatching(/^"Buyers" is syncing right now, so it cannot be deleted\./) } });
    } finally {
      release();
      store.close();
    }
    expect(JSON.parse((await cli(['schedule', 'list', '--json'], env)).stdout)).toMatchObject({ schedules: [{ id, name: 'Buyers' }] });
  });

  it('a usage error of use with --json: JSON whose message carries the usage on one line', async () => {
    const r = await cli(['use', 'frob', '--json'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('');
    const e = (JSON.parse(r.stdout) as { error: { code: string; message: string } }).error;
    expect(e).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(e.message).toMatch(/^Unknown "use frob"\. Usage: cohort-relay use adgroups .* \| cohort-relay use usage /);
    expect(e.message).not.toContain('\n');
  });
});
