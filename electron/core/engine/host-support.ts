/**
 * What a host needs beside the engine's operations, through the engine's public entry (STYLE.md: a host enters
 * core only through engine/): the offline sandbox a host can run on its own.
 */
export { DEFAULT_REDIRECT_URI } from '../tiktok/oauth-redirect';
export { SANDBOX_ACCESS_TOKEN, SANDBOX_ADVERTISERS, startSimulator, type SimulatorHandle, type SimulatorOptions } from '../sandbox';
