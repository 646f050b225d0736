import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../shared/errors';
import { DEFAULT_REDIRECT_URI, parseRedirectUri, resolveRedirectUri } from '../../../../electron/core/tiktok/oauth-redirect';

function refusal(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected a refusal');
}

describe('parseRedirectUri', () => {
  it('accepts loopback http URLs with a port, keeps them exactly as typed, and knows where to listen', () => {
    expect(parseRedirectUri(' http://127.0.0.1:28561/oauth/callback ')).toEqual({ uri: 'http://127.0.0.1:28561/oauth/callback', bindHost: '127.0.0.1', port: 28561, path: '/oauth/callback' });
    expect(parseRedirectUri('http://localhost:8080/cb')).toMatchObject({ uri: 'http://localhost:8080/cb', bindHost: '127.0.0.1', port: 8080, path: '/cb' });
    expect(parseRedirectUri('http://[::1]:9000/x')).toMatchObject({ bindHost: '::1', port: 9000, path: '/x' });
    expect(parseRedirectUri('http://127.0.0.1:80')).toMatchObject({ port: 80, path: '/' });
  });

  it('refuses what Cohort Relay could not receive, naming the problem', () => {
    expect(refusal(() => parseRedirectUri('https://127.0.0.1:28561/cb')).message).toMatch(/must start with http:\/\//);
    expect(refusal(() => parseRedirectUri('http://example.com:28561/cb')).message).toMatch(/must point at this computer.*"example\.com"/);
    expect(refusal(() => parseRedirectUri('http://127.0.0.1/oauth/callback')).message).toMatch(/must name a port/);
    expect(refusal(() => parseRedirectUri('http://127.0.0.1:0/cb')).message).toMatch(/port must be from 1 to 65535, got 0/);
    expect(refusal(() => parseRedirectUri('http://127.0.0.1:5000/cb?x=1')).message).toMatch(/must not have a query/);
    expect(refusal(() => parseRedirectUri('not a url')).code).toBe('INVALID_ARGUMENT');
  });

  it('port 0 (any free port) only where explicitly allowed', () => {
    expect(parseRedirectUri('http://127.0.0.1:0/cb', { allowAnyPort: true }).port).toBe(0);
  });
});

describe('resolveRedirectUri', () => {
  it('takes the flag, then TIKTOK_REDIRECT_URI, then the saved setting, then the default', () => {
    const env = { TIKTOK_REDIRECT_URI: 'http://127.0.0.1:2000/e' };
    expect(resolveRedirectUri({ flag: 'http://127.0.0.1:1000/f', env, stored: 'http://127.0.0.1:3000/s' })).toEqual({ uri: 'http://127.0.0.1:1000/f', source: 'flag' });
    expect(resolveRedirectUri({ env, stored: 'http://127.0.0.1:3000/s' })).toEqual({ uri: 'http://127.0.0.1:2000/e', source: 'env' });
    expect(resolveRedirectUri({ env: {}, stored: 'http://127.0.0.1:3000/s' })).toEqual({ uri: 'http://127.0.0.1:3000/s', source: 'setting' });
    expect(resolveRedirectUri({ env: { TIKTOK_REDIRECT_URI: ' ' } })).toEqual({ uri: DEFAULT_REDIRECT_URI, source: 'default' });
  });

  it('says which source holds a bad URL', () => {
    expect(refusal(() => resolveRedirectUri({ env: { TIKTOK_REDIRECT_URI: 'http://example.com:1/x' } })).message).toMatch(/^TIKTOK_REDIRECT_URI: /);
    expect(refusal(() => resolveRedirectUri({ flag: 'ftp://x' })).message).toMatch(/^--redirect-uri: /);
  });
});
