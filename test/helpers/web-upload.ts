import { request } from 'node:http';
import type { ServedWeb } from '../../electron/web-host/serve';

/** Uploads `body` as the file `name` to a served web host, as its page does; resolves with the private copy's path. */
export function uploadToWebHost(s: ServedWeb, name: string, body: string): Promise<string> {
  const { host } = s;
  return new Promise((resolve, reject) => {
    const req = request(`${host.origin}/upload?token=${encodeURIComponent(host.token)}&name=${encodeURIComponent(name)}`, { method: 'POST', headers: { origin: host.origin } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => (res.statusCode === 200 ? resolve((JSON.parse(text) as { path: string }).path) : reject(new Error(`upload: ${res.statusCode} ${text}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}
