/**
 * Cohort Relay's documented default OAuth redirect URL, registered once on the user's TikTok developer app (and on
 * the offline sandbox's app). Port 28561 lies below every OS's ephemeral range, so no outgoing connection is ever
 * handed it (electron/core/tiktok/oauth-redirect.ts resolves which URL is in use).
 */
export const DEFAULT_REDIRECT_PORT = 28561;
/** Where TikTok sends the browser back to. Only this exact path is served; anything else is a 404. */
export const DEFAULT_CALLBACK_PATH = '/oauth/callback';
export const DEFAULT_REDIRECT_URI = `http://127.0.0.1:${DEFAULT_REDIRECT_PORT}${DEFAULT_CALLBACK_PATH}`;
