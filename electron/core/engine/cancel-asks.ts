/**
 * Questions to TikTok made before a run exists (the same-name check of `audiences:create` and of its dry run), each
 * named by the renderer's `cancelId`: `sync:cancel { cancelId }` ends one at once, as CANCELLED.
 */
const asks = new WeakMap<object, Map<string, AbortController>>();

function of(engine: object): Map<string, AbortController> {
  let m = asks.get(engine);
  if (!m) asks.set(engine, (m = new Map()));
  return m;
}

/** `fn` with a signal that `cancelAsk(engine, cancelId)` aborts (none without a cancelId). */
export async function cancellableAsk<T>(engine: object, cancelId: string | undefined, fn: (signal?: AbortSignal) => Promise<T>): Promise<T> {
  if (cancelId === undefined) return fn();
  const controller = new AbortController();
  const m = of(engine);
  m.set(cancelId, controller);
  try {
    return await fn(controller.signal);
  } finally {
    if (m.get(cancelId) === controller) m.delete(cancelId);
  }
}

/** Aborts the question named `cancelId`; false when none is waiting. */
export function cancelAsk(engine: object, cancelId: string): boolean {
  const c = of(engine).get(cancelId);
  if (!c) return false;
  c.abort();
  return true;
}
