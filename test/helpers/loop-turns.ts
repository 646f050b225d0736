/**
 * Runs `work` while counting the event loop's turns (setImmediate callbacks) until it settles: how often work that
 * yields between slices let other callbacks run. Long synchronous work gives 0 or 1.
 */
export async function withLoopTurns<T>(work: () => Promise<T>): Promise<{ value: T; turns: number }> {
  let turns = 0;
  let done = false;
  const tick = () => {
    if (done) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  try {
    const value = await work();
    return { value, turns };
  } finally {
    done = true;
  }
}
