import type { Db } from './db';

/**
 * TikTok's file_path of each uploaded file, by advertiser, key type and the file's MD5: a file of identical bytes is
 * not uploaded again while its path is fresh (TikTok expires file paths after a time it does not document).
 */
export class UploadCacheRepo {
  private readonly q;
  constructor(db: Db) {
    this.q = {
      get: db.prepare('SELECT file_path AS filePath FROM upload_cache WHERE advertiser_id = ? AND calculate_type = ? AND md5 = ? AND uploaded_at >= ?'),
      put: db.prepare('INSERT OR REPLACE INTO upload_cache (advertiser_id, calculate_type, md5, file_path, entries, uploaded_at) VALUES (?, ?, ?, ?, ?, ?)'),
    };
  }

  /** The file_path of these bytes uploaded at or after `since`, or null. */
  fresh(f: { advertiserId: string; calculateType: string; md5: string }, since: Date): string | null {
    const r = this.q.get.get(f.advertiserId, f.calculateType, f.md5, since.toISOString()) as { filePath: string } | undefined;
    return r?.filePath ?? null;
  }

  put(f: { advertiserId: string; calculateType: string; md5: string }, filePath: string, at: Date): void {
    this.q.put.run(f.advertiserId, f.calculateType, f.md5, filePath, 0, at.toISOString());
  }
}
