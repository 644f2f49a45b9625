/*
 * The AWS calls a run made, as the drill's emulator recorded them (scripts/drill/moto_launcher.py,
 * one JSON line per request): who signed each (the credential scope of its Authorization header:
 * access key id, region, service), and what it asked (method, URL, X-Amz-Target, body), with the
 * operation named the way each protocol names it: JSON protocols in X-Amz-Target, query
 * protocols in the body's Action=, REST protocols (S3, Route 53, EKS) by method and path.
 */

/** One recorded request. */
export interface RecordedCall {
  /** The access key id that signed it (the drill gives each role and stack its own). */
  readonly accessKey: string;
  /** The region of its credential scope. */
  readonly region: string;
  /** The signing name of its credential scope (`s3`, `dynamodb`, `monitoring`, ...). */
  readonly service: string;
  readonly method: string;
  /** The URL path, decoded. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  /** The operation of a JSON or query protocol request (`PutItem`, `RunInstances`); undefined for REST. */
  readonly operation?: string;
  /** The body as text (JSON, form or XML); empty for object uploads. */
  readonly body: string;
  /** The form parameters of a query protocol request. */
  readonly form: Readonly<Record<string, string>>;
}

interface Entry {
  method: string;
  url: string;
  credential: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Parses recorded lines; unsigned requests (the emulator's own API) are counted, not returned. */
export function parseRecordedCalls(text: string): { calls: RecordedCall[]; unsigned: number } {
  const calls: RecordedCall[] = [];
  let unsigned = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const entry = JSON.parse(line) as Entry;
    const [accessKey, , region, service] = entry.credential.split('/');
    if (!accessKey || !service) {
      unsigned++;
      continue;
    }
    const url = new URL(entry.url);
    const body = entry.body ? Buffer.from(entry.body, 'base64').toString('utf8') : '';
    const headers = Object.fromEntries(Object.entries(entry.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const contentType = headers['content-type'] ?? '';
    const form = contentType.startsWith('application/x-www-form-urlencoded') ? Object.fromEntries(new URLSearchParams(body)) : {};
    const target = headers['x-amz-target'];
    calls.push({
      accessKey,
      region,
      service,
      method: entry.method,
      path: decodeURIComponent(url.pathname),
      query: Object.fromEntries(url.searchParams),
      headers,
      operation: target ? target.split('.').pop() : form.Action,
      body,
      form,
    });
  }
  return { calls, unsigned };
}

/** The JSON body of a call (JSON and REST JSON protocols); empty when it has none or is not JSON. */
export function jsonBody(call: RecordedCall): Record<string, unknown> {
  try {
    return JSON.parse(call.body || '{}') as Record<string, unknown>;
  } catch {
    return {};
  }
}
