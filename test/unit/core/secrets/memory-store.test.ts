import { describe, expect, it } from 'vitest';
import { MemorySecretStore } from '../../../../electron/core/secrets';

describe('MemorySecretStore', () => {
  it('returns what was set, per connection and secret name', async () => {
    const s = new MemorySecretStore();
    await s.set('tt-a', 'access-token', 'tok-a');
    await s.set('tt-a', 'app-secret', 'sec-a');
    await s.set('tt-b', 'access-token', 'tok-b');
    expect(await s.get('tt-a', 'access-token')).toBe('tok-a');
    expect(await s.get('tt-a', 'app-secret')).toBe('sec-a');
    expect(await s.get('tt-b', 'access-token')).toBe('tok-b');
    expect(await s.get('tt-b', 'app-secret')).toBeNull();
  });

  it('deletes one secret and reports whether anything was removed', async () => {
    const s = new MemorySecretStore();
    await s.set('tt-a', 'access-token', 'tok');
    expect(await s.delete('tt-a', 'access-token')).toBe(true);
    expect(await s.delete('tt-a', 'access-token')).toBe(false);
    expect(await s.get('tt-a', 'access-token')).toBeNull();
  });

  it('says it is not persistent', () => {
    expect(new MemorySecretStore().kind).toBe('memory');
  });
});
