import type { EstateConfig } from '../../config/load';
import { appDomainName } from '../../config/naming';

/*
 * npm run dr -- verify [--url URL]: the post-switch smoke check. Calls the app through its
 * public name (or URL) and shows which region serves, its database's role, and a write/read
 * round trip. It passes only when the active region serves from a writer and the round trip
 * comes back.
 */

/** What the check saw; `problems` empty means it passed. */
export interface VerifyResult {
  readonly lines: readonly string[];
  readonly problems: readonly string[];
}

/** Runs the check against `url` (default: `https://<app name>`); never throws for an unreachable app. */
export async function verifyApp(config: EstateConfig, url?: string, timeoutMs = 10_000): Promise<VerifyResult> {
  const base = (url ?? `https://${appDomainName(config)}`).replace(/\/$/, '');
  const call = async (path: string, method: 'GET' | 'POST') => {
    const response = await fetch(`${base}${path}`, { method, signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { error: text.trim().slice(0, 200) };
    }
    return { status: response.status, body };
  };
  let identity;
  try {
    identity = await call('/', 'GET');
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (error as Error).message;
    return {
      lines: [`app:        ${base}`],
      problems: [`${base} did not answer (${why}); run the check from a network that resolves and reaches the app's public name, or give --url.`],
    };
  }
  const roundtrip = await call('/roundtrip', 'POST').catch((error: Error) => ({ status: 0, body: { error: error.message } as Record<string, unknown> }));
  const region = String(identity.body.region ?? '?');
  const role = String(identity.body.databaseRole ?? '?');
  const lines = [
    `app:        ${base}`,
    `serving:    ${region} (active region in config: ${config.activeRegion})`,
    `database:   ${String(identity.body.database ?? '?')}, ${role}`,
    roundtrip.status === 200
      ? `round trip: wrote row ${String(roundtrip.body.wrote)} in ${String(roundtrip.body.region)}, read back "${String(roundtrip.body.read)}"`
      : `round trip: failed (HTTP ${roundtrip.status}): ${String(roundtrip.body.error ?? '')}`,
  ];
  const problems: string[] = [];
  if (region !== config.activeRegion) problems.push(`the app is served from ${region}, expected the active region ${config.activeRegion}.`);
  if (role !== 'writer') problems.push(`the serving region's database is ${role}, expected the writer.`);
  if (roundtrip.status !== 200) problems.push('the write/read round trip failed.');
  return { lines, problems };
}
