import { AppError } from '../../../shared/errors';
import { createWorkspace, DEFAULT_WORKSPACE_ID, deleteWorkspaceHeadless, readRegistry, renameWorkspace, requireWorkspace, resolveDataDir, setActiveWorkspace, workspaceDir, WORKSPACE_ENV } from '../../core/engine';
import { flag, printJson, str, UsageError, type CliCommand } from '../command';

const USAGE = [
  'cohort-relay workspaces list [--json]',
  '       cohort-relay workspaces create NAME',
  '       cohort-relay workspaces rename NAME-OR-ID NEW-NAME',
  '       cohort-relay workspaces use NAME-OR-ID',
  '       cohort-relay workspaces delete NAME-OR-ID --confirm NAME',
].join('\n');

/**
 * `cohort-relay workspaces …` (#14 §2): an agency keeps each client apart. Each workspace has its own connections,
 * audiences, schedules, settings and sync log; `--workspace NAME` runs any command in one, and the active one is
 * used without it.
 */
const workspaces: CliCommand = {
  summary: 'List, create, rename, switch (use) or delete workspaces: each client’s accounts, audiences, schedules and log kept apart.',
  usage: USAGE,
  options: { json: { type: 'boolean' }, confirm: { type: 'string' } },
  allowPositionals: true,
  async run(ctx) {
    const [verb, ...args] = ctx.positionals;
    const base = resolveDataDir(ctx.env);
    const json = flag(ctx, 'json');
    const want = (n: number, what: string) => {
      if (args.length !== n) throw new UsageError(`"workspaces ${verb}" needs ${what}`);
    };
    switch (verb) {
      case undefined:
      case 'list': {
        const r = readRegistry(base);
        const rows = r.workspaces.map((w) => ({ id: w.id, name: w.name, active: w.id === r.active, folder: workspaceDir(base, w.id) }));
        if (json) printJson(ctx, { active: r.active, workspaces: rows });
        else for (const w of rows) ctx.stdout.write(`${w.active ? '*' : ' '} ${w.name} (${w.id})${w.id === DEFAULT_WORKSPACE_ID ? '' : `  ${w.folder}`}\n`);
        return 0;
      }
      case 'create': {
        want(1, 'a NAME');
        const w = createWorkspace(base, args[0]!);
        if (json) printJson(ctx, w);
        else ctx.stdout.write(`Created workspace "${w.name}" (${w.id}). Work in it with: cohort-relay --workspace "${w.name}" <command>, or make it the active one: cohort-relay workspaces use "${w.name}"\n`);
        return 0;
      }
      case 'rename': {
        want(2, 'the workspace and its NEW-NAME');
        const before = requireWorkspace(readRegistry(base), args[0]!);
        const w = renameWorkspace(base, before.id, args[1]!);
        if (json) printJson(ctx, w);
        else ctx.stdout.write(`Renamed "${before.name}" to "${w.name}" (${w.id}); its accounts, audiences and log are unchanged.\n`);
        return 0;
      }
      case 'use': {
        want(1, 'the workspace to use');
        const r = setActiveWorkspace(base, requireWorkspace(readRegistry(base), args[0]!).id);
        const w = r.workspaces.find((x) => x.id === r.active)!;
        if (json) printJson(ctx, { active: w.id, name: w.name });
        else ctx.stdout.write(`Now using workspace "${w.name}" (${w.id}): commands without --workspace work in it. A running Cohort Relay app keeps its own choice until restarted.\n`);
        return 0;
      }
      case 'delete': {
        want(1, 'the workspace to delete');
        const target = requireWorkspace(readRegistry(base), args[0]!);
        // The workspace --workspace (or COHORT_RELAY_WORKSPACE) picks is in use for this command, as the active one is.
        if (ctx.env[WORKSPACE_ENV] === target.id) {
          throw new AppError('INVALID_ARGUMENT', `"${target.name}" is the workspace in use (--workspace or ${WORKSPACE_ENV} names it), so it cannot be deleted. Run the delete without --workspace, with ${WORKSPACE_ENV} unset or naming another workspace.`);
        }
        const confirm = str(ctx, 'confirm');
        if (!confirm) {
          throw new AppError('INVALID_ARGUMENT', `Deleting "${target.name}" disconnects its TikTok accounts (revoking their tokens) and deletes its audiences' local data and sync log. To go ahead, repeat its name: cohort-relay workspaces delete "${target.name}" --confirm "${target.name}"`);
        }
        const d = await deleteWorkspaceHeadless(base, target.id, confirm, ctx.env);
        if (json) printJson(ctx, { deleted: d.workspace.id, connections: d.connections });
        else {
          ctx.stdout.write(`Deleted workspace "${d.workspace.name}" (${d.workspace.id}) and its folder.\n`);
          for (const c of d.connections) ctx.stdout.write(`   Disconnected "${c.label}": ${c.message}\n`);
        }
        return 0;
      }
      default:
        throw new UsageError(`Unknown "workspaces ${verb}"`);
    }
  },
};
export default workspaces;
