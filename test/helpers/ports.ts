import net from 'node:net';

/** A port on 127.0.0.1 that was free a moment ago (the OS picked it; the probe is closed again). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A redirect URL of this test alone: the fixed default port would clash between test files running in
 * parallel, so each test registers its own free port on the simulator's app and signs in with it.
 */
export async function testRedirectUri(path = '/oauth/callback'): Promise<string> {
  return `http://127.0.0.1:${await freePort()}${path}`;
}
