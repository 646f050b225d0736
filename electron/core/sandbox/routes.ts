/**
 * Which API area answers each endpoint, and how the endpoint is called: its HTTP method, and whether a call that
 * succeeds changes what `--data DIR` keeps (the server then saves). One row per endpoint of endpoints.ts.
 */
import { adgroupGet, apply, applyLog, campaignGet } from './ad-groups';
import { deleteAudiences, getAudiences, listAudiences } from './audiences';
import type { SimEndpoint } from './endpoints';
import { createAudience, fileUpload, updateAudience } from './file-audiences';
import { lookalikeCreate, lookalikeUpdate } from './lookalike';
import { advertiserGet, advertiserInfo, oauthAccessToken, revokeToken, userInfo } from './oauth';
import { overlap } from './overlap';
import { segmentAudience, segmentMapping } from './partner';
import type { SimRequest } from './request';
import { share, shareCancel, shareLog } from './share';
import type { SimStore } from './store';

export interface Route {
  method: 'GET' | 'POST';
  /** A successful call changes the kept state. */
  mutating: boolean;
  /** The answer's `data`; a refusal throws SimApiError. */
  handler: (store: SimStore, req: SimRequest) => unknown;
}

const read = (handler: Route['handler']): Route => ({ method: 'GET', mutating: false, handler });
const write = (handler: Route['handler']): Route => ({ method: 'POST', mutating: true, handler });

export const ROUTES: { readonly [E in SimEndpoint]: Route } = {
  'oauth2/access_token': write(oauthAccessToken),
  'oauth2/advertiser/get': read(advertiserGet),
  'oauth2/revoke_token': write(revokeToken),
  'advertiser/info': read(advertiserInfo),
  'user/info': read(userInfo),
  'dmp/custom_audience/file/upload': write(fileUpload),
  'dmp/custom_audience/create': write(createAudience),
  'dmp/custom_audience/update': write(updateAudience),
  'dmp/custom_audience/list': read(listAudiences),
  'dmp/custom_audience/get': read(getAudiences),
  'dmp/custom_audience/delete': write(deleteAudiences),
  'segment/audience': write(segmentAudience),
  'segment/mapping': write(segmentMapping),
  'campaign/get': read(campaignGet),
  'adgroup/get': read(adgroupGet),
  'dmp/custom_audience/apply': write(apply),
  'dmp/custom_audience/apply/log': read(applyLog),
  'dmp/custom_audience/lookalike/create': write(lookalikeCreate),
  'dmp/custom_audience/lookalike/update': write(lookalikeUpdate),
  'dmp/custom_audience/share': write(share),
  'dmp/custom_audience/share/cancel': write(shareCancel),
  'dmp/custom_audience/share/log': read(shareLog),
  'audience/insight/overlap': read(overlap),
};
