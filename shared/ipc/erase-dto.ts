/**
 * "Erase a person" (issue #12.4): what the erase preview and the erasure return. Only names, counts and times: the
 * identifier the user typed never comes back, and no hash leaves the engine.
 */

/** One audience that holds the person. */
export interface EraseAudienceView {
  audienceId: number;
  name: string;
  /** Entries of the audience that are this person (1 for a single-key audience; a multi-key one may hold more). */
  entries: number;
  /** Calls the removal uses (one REMOVE). */
  calls: number;
  /** When it is sent: null = now; else the start of the next slot (the audience's calls today are used). */
  sendsAt: string | null;
}

export interface ErasePreviewView {
  audiences: EraseAudienceView[];
  /** Calls used in all. */
  calls: number;
  /** Plain words: where the person was found, what is removed, the calls it uses and when. */
  message: string;
}

export interface EraseResultView {
  audiences: (EraseAudienceView & {
    /** sent: TikTok acknowledged the removal; queued: it goes out at `sendsAt` (or the next sync); failed: see message. */
    outcome: 'sent' | 'queued' | 'failed';
    runId: number | null;
    message: string | null;
  })[];
  message: string;
}
