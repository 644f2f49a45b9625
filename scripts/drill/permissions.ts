import { closeSync, existsSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { parseRecordedCalls, type RecordedCall } from '../iam/calls';
import { evaluate } from '../iam/evaluate';
import { roleModels, type AccountFacts } from '../iam/facts';
import { requestsFor } from '../iam/requests';

/*
 * The drill's permission proof: every AWS call a step's terraform made, as the emulator
 * recorded it, judged by a real IAM policy evaluator against the CI role that makes that call
 * in the pipelines (the access key of each command names the role and the stack:
 * scripts/drill/terraform.ts roleKey), with that role's policies and boundary and the
 * resource's policy as the emulated account holds them after the step, plus the calls AWS
 * services make with the caller's permissions (scripts/iam/implied.ts). The bootstrap stacks
 * (an administrator deploys them by hand) and the drill's own reads are counted, not judged.
 */

/** A call IAM would refuse. */
export interface Denial {
  readonly role: string;
  readonly action: string;
  readonly resource: string;
  /** The recorded call it belongs to (itself, or the call a service made it for). */
  readonly call: string;
  readonly implied?: string;
  readonly result: string;
  /** The statements that decided (a Deny's sid), or why it could not be evaluated. */
  readonly deciding: string;
}

/**
 * Denials the caller handles, each with its source: counted apart, not problems. The AWS
 * provider looks its account id up with iam:GetUser first and falls back to
 * sts:GetCallerIdentity on any error (hashicorp/aws-sdk-go-base, getAccountIDAndPartition), so a
 * role that may not read IAM users still plans and applies.
 */
export const TOLERATED_DENIALS: Readonly<Record<string, string>> = {
  'iam:GetUser': 'the AWS provider tries iam:GetUser for its account id and falls back to sts:GetCallerIdentity (hashicorp/aws-sdk-go-base, getAccountIDAndPartition)',
};

/** One stack's calls in a step, by the role that made them. */
export interface StackPermissions {
  readonly stack: string;
  readonly role: string;
  /** Calls recorded. */
  readonly calls: number;
  /** Requests evaluated: the calls placed, and the calls services made for them. */
  readonly evaluated: number;
  readonly implied: number;
  readonly denied: readonly Denial[];
  /** Denials the caller handles ({@link TOLERATED_DENIALS}), by action: how many. */
  readonly tolerated: Readonly<Record<string, number>>;
  /** Calls that could not be placed, each with why. */
  readonly unplaced: readonly string[];
}

/** A step's permissions section. */
export interface PermissionsReport {
  readonly stacks: readonly StackPermissions[];
  /** Calls not judged: the bootstrap stacks' (an administrator's) and the drill's own reads. */
  readonly notJudged: Readonly<Record<string, number>>;
  readonly evaluated: number;
  readonly denied: number;
  readonly unplaced: number;
}

/** Reads the calls recorded since the last read. */
export class CallLog {
  private offset = 0;

  constructor(readonly file: string) {}

  takeNew(): RecordedCall[] {
    if (!existsSync(this.file)) return [];
    const size = statSync(this.file).size;
    if (size <= this.offset) return [];
    const buffer = Buffer.alloc(size - this.offset);
    const fd = openSync(this.file, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, this.offset);
    } finally {
      closeSync(fd);
    }
    // Only whole lines: a line still being written is read next time.
    const text = buffer.toString('utf8');
    const end = text.lastIndexOf('\n') + 1;
    this.offset += Buffer.byteLength(text.slice(0, end));
    return parseRecordedCalls(text.slice(0, end)).calls;
  }
}

/** Purposes of access keys whose calls are not CI's: counted, not judged. */
const NOT_CI = new Set(['admin', 'drill']);

/** Judges recorded calls; `rolePrefix` turns a key's purpose into a role name (`<project>-<environment>-ci-`). */
export async function judgeCalls(calls: readonly RecordedCall[], facts: AccountFacts, accountId: string, rolePrefix: string): Promise<PermissionsReport> {
  const roles = roleModels(facts, accountId);
  const notJudged: Record<string, number> = {};
  const byStack = new Map<string, { role: string; calls: number; evaluated: number; implied: number; denied: Denial[]; tolerated: Record<string, number>; unplaced: string[] }>();
  for (const call of calls) {
    const [purpose, stack] = call.accessKey.includes('.') ? call.accessKey.split('.', 2) : [call.accessKey, ''];
    if (NOT_CI.has(purpose) || !stack) {
      const what = purpose === 'admin' ? `${stack || 'bootstrap'} (an administrator, by hand)` : 'the drill\'s own reads and stand-ins';
      notJudged[what] = (notJudged[what] ?? 0) + 1;
      continue;
    }
    const roleName = `${rolePrefix}${purpose}`;
    const key = `${stack} as ${roleName}`;
    const entry = byStack.get(key) ?? { role: roleName, calls: 0, evaluated: 0, implied: 0, denied: [], tolerated: {}, unplaced: [] };
    byStack.set(key, entry);
    entry.calls++;
    const role = roles.get(roleName);
    if (!role) {
      entry.unplaced.push(`${call.service} ${call.operation ?? call.method}: the account holds no role ${roleName}`);
      continue;
    }
    const mapped = await requestsFor(call, facts, accountId);
    if (mapped.unplaced) entry.unplaced.push(mapped.unplaced);
    for (const request of mapped.requests) {
      entry.evaluated++;
      if (request.implied) entry.implied++;
      const decision = await evaluate(role, request, accountId);
      if (!decision.allowed && !decision.errors && TOLERATED_DENIALS[request.action]) {
        entry.tolerated[request.action] = (entry.tolerated[request.action] ?? 0) + 1;
      } else if (!decision.allowed) {
        entry.denied.push({
          role: roleName,
          action: request.action,
          resource: request.resource,
          call: request.call,
          ...(request.implied ? { implied: request.implied } : {}),
          result: decision.result,
          deciding: decision.errors ?? (decision.deciding.join(', ') || 'no statement allows it'),
        });
      }
    }
  }
  const stacks = [...byStack.entries()].map(([key, e]) => ({ stack: key.split(' as ')[0], ...e, unplaced: [...new Set(e.unplaced)] }));
  return {
    stacks,
    notJudged,
    evaluated: stacks.reduce((n, s) => n + s.evaluated, 0),
    denied: stacks.reduce((n, s) => n + s.denied.length, 0),
    unplaced: stacks.reduce((n, s) => n + s.unplaced.length, 0),
  };
}

/** The problems a permissions section reports: each denied call (deduplicated), each unplaced one. */
export function permissionProblems(report: PermissionsReport): string[] {
  const denied = report.stacks.flatMap((s) =>
    s.denied.map((d) => `${s.stack}: ${d.role} may not ${d.action} on ${d.resource}${d.implied ? ` (for ${d.call}: ${d.implied})` : ''}: ${d.result}, ${d.deciding}`),
  );
  const unplaced = report.stacks.flatMap((s) => s.unplaced.map((u) => `${s.stack}: a call of ${s.role} could not be judged: ${u}`));
  return [...new Set([...denied, ...unplaced])];
}

/** A step's permissions: the calls recorded since the last step, judged against the account as it is now. */
export async function judgeStep(calls: CallLog, readFacts: () => Promise<AccountFacts>, accountId: string, rolePrefix: string, keepFacts?: string): Promise<PermissionsReport> {
  const recorded = calls.takeNew();
  const facts = await readFacts();
  // What the calls were judged against, beside the calls themselves (kept with the work folder).
  if (keepFacts) writeFileSync(keepFacts, JSON.stringify(facts));
  return judgeCalls(recorded, facts, accountId, rolePrefix);
}

/** One line per stack for the drill log: calls, evaluated, implied, denied, unplaced. */
export function permissionLines(report: PermissionsReport): string[] {
  return [
    ...report.stacks.map((s) => {
      const tolerated = Object.entries(s.tolerated).map(([action, n]) => `${n} ${action}`);
      return `  permissions ${s.stack} as ${s.role}: ${s.calls} calls, ${s.evaluated} evaluated (${s.implied} made by services for it), ${s.denied.length} denied${tolerated.length ? ` (and ${tolerated.join(', ')} denied, tolerated by the provider)` : ''}, ${s.unplaced.length} unplaced`;
    }),
    ...Object.entries(report.notJudged).map(([what, n]) => `  permissions not judged: ${n} calls of ${what}`),
  ];
}
