import type { DrillTerraform } from './terraform';
import { lastLines, prepareStack, run } from './terraform';
import type { EndpointPlan, StackJson } from './profile';

/*
 * Darkness shown, not assumed: in a step with a dark region, a plan of that region's stack is
 * attempted as CI would attempt it, and must fail because every call to the region is refused
 * (its endpoints, its state backend and any service not listed in the profile all lead to a
 * closed loopback port). A plan that got anywhere would mean the region was not dark.
 */

/** The attempt on a dark region's stack. */
export interface DarkReport {
  readonly region: string;
  readonly stack: string;
  /** True when the attempt failed with a refused connection to the closed port. */
  readonly refused: boolean;
  /** The refused call, as terraform reported it (or what happened instead). */
  readonly call: string;
}

/** Attempts `init` and `plan` of a dark region's stack; the first refused call is the proof. */
export async function attemptDark(tf: DrillTerraform, stack: string, region: string, json: StackJson, plan: EndpointPlan, accessKey: string): Promise<DarkReport> {
  const closedPort = plan.dark?.endpoint.split(':').pop() ?? '';
  let output: string;
  try {
    const targets = await prepareStack(tf, stack, json, plan, accessKey);
    const result = await run(tf, stack, ['plan', '-input=false', '-no-color', '-lock=false', ...targets], accessKey);
    output = result.code === 0 ? '' : `${result.stderr}\n${result.stdout}`;
    if (result.code === 0) return { region, stack, refused: false, call: `terraform plan of ${stack} succeeded with ${region} dark` };
    if (!refusedIn(output, closedPort)) return { region, stack, refused: false, call: `the plan failed, but not on a refused connection: ${lastLines(result, 3)}` };
  } catch (error) {
    output = (error as Error).message;
    if (!refusedIn(output, closedPort)) return { region, stack, refused: false, call: `init failed, but not on a refused connection: ${output}` };
  }
  return { region, stack, refused: true, call: refusedCall(output, closedPort) };
}

const refusedIn = (output: string, port: string) => /connection refused/i.test(output) && output.includes(`:${port}`);

/**
 * The refused call in one line: the operation and the refused connection, from terraform's
 * `operation error S3: ListObjectsV2, ... Get "http://127.0.0.1:N/...": dial tcp 127.0.0.1:N: connect: connection refused`.
 */
export function refusedCall(output: string, port: string): string {
  const flat = output.replace(/\s*\|\s*|\n/g, ' ');
  const operation = /operation error ([^,]+)/.exec(flat)?.[1];
  const request = /(GET|Get|POST|Post|PUT|Put|HEAD|Head|DELETE|Delete) "([^"]+)"/.exec(flat);
  const refused = new RegExp(`dial tcp [^ ]*:${port}: connect: connection refused`).exec(flat)?.[0] ?? 'connection refused';
  return [operation, request ? `${request[1].toUpperCase()} ${request[2].split('?')[0]}` : undefined, refused].filter(Boolean).join(': ');
}
