import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashLab, hashValue, maskValue, normalize, selfTest, TEST_VECTORS } from '../../../../electron/core/cohort';
import { DEFAULT_PROFILE, type NormalizationProfile } from '../../../../shared/domain';

const sha = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
const P = DEFAULT_PROFILE;
const withCountry = (c: string): NormalizationProfile => ({ ...P, defaultCountry: c });

describe("TikTok's published test vectors (tiktok-api.md §12)", () => {
  it('hashes janedoe@gmail.com to d6117306…', () => {
    expect(hashValue('email', 'janedoe@gmail.com', P)).toMatchObject({ ok: true, normalized: 'janedoe@gmail.com', hash: 'd6117306485ed0e50afab3ac871e98f81699151f30281527d63ff5f233656c69' });
  });

  it('hashes the phone +374 93 828222 as digits without "+" by default (65b7e6dc…)', () => {
    expect(hashValue('phone', '+374 93 828222', P)).toMatchObject({ ok: true, normalized: '37493828222', hash: '65b7e6dcf6f4310f8d7cbfbd78289a753062fb054d6664fb9aaac5df66a422d4' });
  });

  it('keeps the "+" when the profile says so (241371e6…)', () => {
    expect(hashValue('phone', '+374 93 828222', { ...P, phoneKeepPlus: true })).toMatchObject({ ok: true, normalized: '+37493828222', hash: '241371e614f8650dfae0f111361c69de1bb4829a72b71bb8044daae8b2e7791d' });
  });

  it('lowercases the mobile ad id 5F3A2B18-… and keeps its hyphens (83dc3f5f…)', () => {
    for (const key of ['idfa', 'gaid'] as const) {
      expect(hashValue(key, '5F3A2B18-9C4D-4E7F-B8E2-17D3A1E69B25', P)).toMatchObject({ ok: true, normalized: '5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b25', hash: '83dc3f5f32b9472613b0f038d36f22585a609d018af6f6067f50da318bf354bd' });
    }
  });

  it('selfTest runs the four vectors and all pass', () => {
    const rows = selfTest();
    expect(rows).toHaveLength(4);
    expect(rows.map((r) => r.pass)).toEqual([true, true, true, true]);
    expect(rows.map((r) => r.expected)).toEqual(TEST_VECTORS.map((v) => v.expected));
    for (const r of rows) expect(r.actual).toBe(r.expected);
  });
});

describe('email', () => {
  it('trims, removes inner whitespace (including non-breaking and zero-width spaces) and lowercases', () => {
    expect(normalize('email', '  Jane.Doe@GMail.COM ', P)).toEqual({ ok: true, normalized: 'jane.doe@gmail.com', prehashed: false });
    expect(normalize('email', 'jane doe@ex ample.com', P)).toEqual({ ok: true, normalized: 'janedoe@example.com', prehashed: false });
    expect(normalize('email', '\u00a0jane@example.com\u200b\t', P)).toEqual({ ok: true, normalized: 'jane@example.com', prehashed: false });
  });

  it('keeps "+tag" and dots by default, strips them with emailStripPlusAndDots', () => {
    expect(normalize('email', 'Jane.Doe+promo@gmail.com', P)).toMatchObject({ normalized: 'jane.doe+promo@gmail.com' });
    const strip = { ...P, emailStripPlusAndDots: true };
    expect(normalize('email', 'Jane.Doe+promo@gmail.com', strip)).toMatchObject({ normalized: 'janedoe@gmail.com' });
    expect(normalize('email', 'j.a.n.e@sub.example.co.uk', strip)).toMatchObject({ normalized: 'jane@sub.example.co.uk' });
  });

  it('rejects what is not an address with INVALID_EMAIL', () => {
    for (const bad of ['jane', 'jane@', '@example.com', 'jane@example', 'jane@@example.com', 'ja..ne@example.com', '.jane@example.com', 'jane.@example.com', 'jane@-example.com', 'jane@example-.com', 'jane@example.c', 'jane@example.123', 'jane@exa_mple.com', '"jane"@example.com', 'jane@[10.0.0.1]', 'ja\u0001ne@example.com', 'jan\ufffde@example.com', 'not an email']) {
      expect(normalize('email', bad, P), bad).toEqual({ ok: false, reason: 'INVALID_EMAIL' });
    }
  });

  it('accepts unusual but valid addresses', () => {
    for (const good of ["o'brien@example.ie", 'a_b-c+d@mail.example.com', 'x@y.co', 'josé@exämple.com', '1234@123.example.com']) {
      expect(normalize('email', good, P).ok, good).toBe(true);
    }
  });

  it('a "+tag" that leaves an empty local part is INVALID_EMAIL when stripping', () => {
    expect(normalize('email', '+promo@gmail.com', { ...P, emailStripPlusAndDots: true })).toEqual({ ok: false, reason: 'INVALID_EMAIL' });
  });

  it('rejects an MD5-looking value with INVALID_HASH, not INVALID_EMAIL', () => {
    expect(normalize('email', 'D41D8CD98F00B204E9800998ECF8427E', P)).toEqual({ ok: false, reason: 'INVALID_HASH' });
    expect(normalize('email', 'da39a3ee5e6b4b0d3255bfef95601890afd80709', P)).toEqual({ ok: false, reason: 'INVALID_HASH' });
  });
});

describe('already-hashed values', () => {
  const h = sha('janedoe@gmail.com');

  it('pass through lowercased and are never hashed twice, for every key', () => {
    for (const key of ['email', 'phone', 'idfa', 'gaid'] as const) {
      const r = hashValue(key, ` ${h.toUpperCase()} `, P);
      expect(r, key).toEqual({ ok: true, normalized: h, prehashed: true, hash: h });
    }
  });

  it('a 32-hex value is a hyphenless UUID for ad ids, but INVALID_HASH for a phone', () => {
    expect(normalize('idfa', '5F3A2B189C4D4E7FB8E217D3A1E69B25', P)).toEqual({ ok: true, normalized: '5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b25', prehashed: false });
    expect(normalize('phone', 'd41d8cd98f00b204e9800998ecf8427e', P)).toEqual({ ok: false, reason: 'INVALID_HASH' });
  });
});

describe('phone', () => {
  it('rejects a number without country code when no default country is set (never a silent +1)', () => {
    expect(normalize('phone', '(657) 777-0000', P)).toEqual({ ok: false, reason: 'PHONE_NO_COUNTRY' });
    expect(normalize('phone', '6577770000', P)).toEqual({ ok: false, reason: 'PHONE_NO_COUNTRY' });
  });

  it('uses the default country for national numbers', () => {
    expect(normalize('phone', '(657) 777-0000', withCountry('US'))).toEqual({ ok: true, normalized: '16577770000', prehashed: false });
    expect(normalize('phone', '020 7183 8750', withCountry('GB'))).toEqual({ ok: true, normalized: '442071838750', prehashed: false });
  });

  it('reads "+", "00" and "(+44)" as a country code whatever the default country', () => {
    expect(normalize('phone', '+44 20 7183 8750', withCountry('US'))).toMatchObject({ normalized: '442071838750' });
    expect(normalize('phone', '0044 20 7183 8750', P)).toMatchObject({ normalized: '442071838750' });
    expect(normalize('phone', '(+44) 20 7183 8750', P)).toMatchObject({ normalized: '442071838750' });
  });

  it('accepts "country code and number without +" when the default country does not fit', () => {
    expect(normalize('phone', '37493828222', withCountry('US'))).toMatchObject({ normalized: '37493828222' });
  });

  it('drops an extension (E.164 has none)', () => {
    expect(normalize('phone', '+1 657 777 0000 ext 12', P)).toMatchObject({ normalized: '16577770000' });
  });

  it('keeps "+" with phoneKeepPlus', () => {
    expect(normalize('phone', '(657) 777-0000', { ...withCountry('US'), phoneKeepPlus: true })).toMatchObject({ normalized: '+16577770000' });
  });

  it('rejects invalid numbers with INVALID_PHONE', () => {
    for (const bad of ['+44 20 7183 875', 'n/a', '+1 (555) 555-0100', '12', 'call me']) expect(normalize('phone', bad, withCountry('US')), bad).toEqual({ ok: false, reason: 'INVALID_PHONE' });
    expect(normalize('phone', 'abc123456', P)).toEqual({ ok: false, reason: 'INVALID_PHONE' });
  });
});

describe('mobile ad ids', () => {
  it('accept braces and surrounding spaces, lowercase the UUID', () => {
    expect(normalize('gaid', ' {38400000-8CF0-11BD-B23E-10B96E40000D} ', P)).toEqual({ ok: true, normalized: '38400000-8cf0-11bd-b23e-10b96e40000d', prehashed: false });
  });

  it('reject the all-zero id (ad tracking limited) with MAID_ZERO', () => {
    expect(normalize('idfa', '00000000-0000-0000-0000-000000000000', P)).toEqual({ ok: false, reason: 'MAID_ZERO' });
    expect(normalize('gaid', '00000000000000000000000000000000', P)).toEqual({ ok: false, reason: 'MAID_ZERO' });
  });

  it('reject other shapes with INVALID_MAID', () => {
    for (const bad of ['5f3a2b18-9c4d-4e7f-b8e2', '5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b2z', 'android-id-123', '5f3a2b189c4d4e7fb8e217d3a1e69b2']) expect(normalize('idfa', bad, P), bad).toEqual({ ok: false, reason: 'INVALID_MAID' });
  });
});

describe('empty cells', () => {
  it('are EMPTY for every key', () => {
    for (const key of ['email', 'phone', 'idfa', 'gaid'] as const) for (const v of ['', '   ', '\t', '\u00a0']) expect(normalize(key, v, P), `${key} ${JSON.stringify(v)}`).toEqual({ ok: false, reason: 'EMPTY' });
  });
});

describe('masking', () => {
  it('masks the local part of an email and shows its domain, so a fault there ("example..com") can be seen', () => {
    expect(maskValue('email', 'jane.doe@gmail.com')).toBe('j***@gmail.com');
    expect(maskValue('email', 'alice@example..com')).toBe('a***@example..com');
    expect(maskValue('email', 'alice@exa mple.com')).toBe('a***@example.com');
    expect(maskValue('email', 'alice@ex<a>mple.com')).toBe('a***@ex*a*mple.com');
    expect(maskValue('email', `bob@${'d'.repeat(100)}.com`)).toBe(`b***@${'d'.repeat(64)}`);
    expect(maskValue('email', 'broken-value')).toBe('b***');
  });

  it('shows at most the country code and the last two digits of a phone', () => {
    expect(maskValue('phone', '+37493828222')).toBe('+374******22');
    expect(maskValue('phone', '+1 (415) 555-0100')).toBe('+1********00');
    expect(maskValue('phone', '0044 20 7946 0958')).toBe('+44********58');
    expect(maskValue('phone', '(415) 555-0100')).toBe('********00');
    expect(maskValue('phone', '12345')).toBe('***');
  });

  it('shows no character that could start a spreadsheet formula or a terminal escape', () => {
    expect(maskValue('email', '=cmd|calc')).toBe('****');
    expect(maskValue('email', '@SUM(A1)@x.com')).toBe('****@x.com');
    expect(maskValue('email', 'a@=cmd|x')).toBe('a***@=cmd*x'.replace('=', '*'));
    expect(maskValue('idfa', '+HYPERLINK("x")')).toBe('****');
    expect(maskValue('gaid', 'alice@examplecorp')).toBe('****');
    expect(maskValue('email', 'a@b.c\u001b]8;;x')).not.toMatch(/\u001b/);
  });

  it('keeps the first four characters of an ad id or hash', () => {
    expect(maskValue('idfa', '5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b25')).toBe('5f3a********');
    expect(maskValue('email', sha('x'))).toBe(`${sha('x').slice(0, 4)}********`);
  });

  it('never returns the raw value, even for long garbage', () => {
    const raw = 'x'.repeat(10_000);
    const m = maskValue('phone', raw);
    expect(m.length).toBeLessThan(30);
    expect(maskValue('email', '')).toBe('');
  });
});

describe('hashLab', () => {
  it('shows raw → normalized → hash, and the reject reason for bad rows', () => {
    const rows = hashLab('email', ['Jane@Example.com', 'nope'], P);
    expect(rows[0]).toEqual({ raw: 'Jane@Example.com', normalized: 'jane@example.com', hash: sha('jane@example.com'), prehashed: false });
    expect(rows[1]).toEqual({ raw: 'nope', normalized: null, hash: null, prehashed: false, error: 'INVALID_EMAIL' });
  });
});
