/**
 * A tiny typed event hub the engine can use to implement `EventSource`. Pure TS (no node:events), so the
 * engine, the hosts and tests share it.
 */
import type { EventName } from './channels';
import type { EventPayloads, EventSource, PushEvent, Unsubscribe } from './contract';

export interface EventHub extends EventSource {
  emit<E extends EventName>(event: E, payload: EventPayloads[E]): void;
  /** Number of current subscribers (hosts use it in tests to see a subscription was released). */
  readonly size: number;
}

export function createEventHub(): EventHub {
  const listeners = new Set<(event: PushEvent) => void>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      let done = false;
      return () => {
        if (done) return;
        done = true;
        listeners.delete(listener);
      };
    },
    emit(event, payload) {
      const message = { event, payload } as PushEvent;
      // A failing listener (a closed window, a dropped socket) must not stop delivery to the others.
      for (const l of [...listeners]) {
        try {
          l(message);
        } catch {
          /* the listener's host reports its own failures */
        }
      }
    },
    get size() {
      return listeners.size;
    },
  };
}

export type { Unsubscribe };
