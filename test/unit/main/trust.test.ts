import { describe, expect, it } from 'vitest';
import { isSafeExternalUrl, isSafeSignInUrl, isTrustedFrame, isTrustedRendererUrl } from '../../../electron/main/trust';

const built = { indexUrl: 'app://renderer/index.html' };

describe('isTrustedRendererUrl', () => {
  it('trusts the built index.html with any hash or query', () => {
    expect(isTrustedRendererUrl(built.indexUrl, built)).toBe(true);
    expect(isTrustedRendererUrl(`${built.indexUrl}#/audiences/3`, built)).toBe(true);
    expect(isTrustedRendererUrl(`${built.indexUrl}?x=1`, built)).toBe(true);
  });

  it('does not trust other local files, remote pages, or garbage', () => {
    expect(isTrustedRendererUrl('file:///tmp/index.html', built)).toBe(false);
    // The renderer is no longer a file:// page: not even the built index.html on disk is trusted.
    expect(isTrustedRendererUrl('file:///opt/Cohort%20Relay/resources/app.asar/out/renderer/index.html', built)).toBe(false);
    expect(isTrustedRendererUrl('app://renderer/other.html', built)).toBe(false);
    expect(isTrustedRendererUrl('app://evil/index.html', built)).toBe(false);
    expect(isTrustedRendererUrl('app://u:p@renderer/index.html', built)).toBe(false);
    expect(isTrustedRendererUrl('https://evil.example/index.html', built)).toBe(false);
    expect(isTrustedRendererUrl('http://localhost:5173/', built)).toBe(false);
    expect(isTrustedRendererUrl('about:blank', built)).toBe(false);
    expect(isTrustedRendererUrl('not a url', built)).toBe(false);
  });

  it('trusts the dev server origin only when one is configured', () => {
    const dev = { ...built, devServerUrl: 'http://localhost:5173' };
    expect(isTrustedRendererUrl('http://localhost:5173/#/import', dev)).toBe(true);
    expect(isTrustedRendererUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isTrustedRendererUrl('http://127.0.0.1:5173/', dev)).toBe(false);
  });
});

describe('isTrustedFrame', () => {
  it('trusts only a top-level frame', () => {
    expect(isTrustedFrame({ url: built.indexUrl, parent: null }, built)).toBe(true);
    expect(isTrustedFrame({ url: built.indexUrl, parent: {} }, built)).toBe(false);
  });
});

describe('isSafeExternalUrl', () => {
  it('accepts https links only', () => {
    expect(isSafeExternalUrl('https://ads.tiktok.com/')).toBe(true);
    for (const url of ['http://ads.tiktok.com/', 'file:///etc/passwd', 'javascript:void(0)', 'mailto:a@b.c', 'ms-settings:', 'https://u:p@host/', '']) {
      expect(isSafeExternalUrl(url)).toBe(false);
    }
  });
});

describe('isSafeSignInUrl', () => {
  it('accepts https and the local sandbox over http, nothing else', () => {
    expect(isSafeSignInUrl('https://business-api.tiktok.com/portal/auth?app_id=1')).toBe(true);
    expect(isSafeSignInUrl('http://127.0.0.1:8123/portal/auth?app_id=1')).toBe(true);
    for (const url of ['http://evil.example/portal/auth', 'file:///etc/passwd', 'javascript:alert(1)', 'http://user:pw@127.0.0.1/']) expect(isSafeSignInUrl(url)).toBe(false);
  });
});
