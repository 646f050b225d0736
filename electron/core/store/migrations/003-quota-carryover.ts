/**
 * Calls spent before the database was restored or started afresh, read back from the quota journal (a small
 * file beside the database): they count against their audience, matched by TikTok's id (or, for a create,
 * by advertiser and name), so a lost database never gives a day's budget back.
 */
export default {
  name: 'quota-carryover',
  sql: `
CREATE TABLE quota_carryover (
  id INTEGER PRIMARY KEY,
  advertiser_id TEXT NOT NULL,
  tiktok_audience_id TEXT,
  name TEXT NOT NULL,
  utc_day TEXT NOT NULL,
  kind TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX quota_carryover_by_audience ON quota_carryover (advertiser_id, tiktok_audience_id, utc_day);
`,
};
