/** The TikTok API endpoints the offline sandbox answers (routes.ts says how each is called and who answers it). */

/** Endpoint names of the simulator: the API path without /open_api/v1.3/ and without the trailing slash. */
export const SIM_ENDPOINTS = [
  'oauth2/access_token',
  'oauth2/advertiser/get',
  'oauth2/revoke_token',
  'advertiser/info',
  'user/info',
  'dmp/custom_audience/file/upload',
  'dmp/custom_audience/create',
  'dmp/custom_audience/update',
  'dmp/custom_audience/list',
  'dmp/custom_audience/get',
  'dmp/custom_audience/delete',
  'segment/audience',
  'segment/mapping',
  'campaign/get',
  'adgroup/get',
  'dmp/custom_audience/apply',
  'dmp/custom_audience/apply/log',
  'dmp/custom_audience/lookalike/create',
  'dmp/custom_audience/lookalike/update',
  'dmp/custom_audience/share',
  'dmp/custom_audience/share/cancel',
  'dmp/custom_audience/share/log',
  'audience/insight/overlap',
] as const;
export type SimEndpoint = (typeof SIM_ENDPOINTS)[number];
