import type { EstateConfig } from '../../config/load';
import { gitBackupBucketName, regionalName, stackName } from '../../config/naming';
import { parseRecordedCalls } from '../iam/calls';
import { policyArgument, resolveText, type TerraformJson } from '../iam/documents';
import { evaluate } from '../iam/evaluate';
import type { AccountFacts, KeyFacts } from '../iam/facts';
import { requestsFor } from '../iam/requests';
import { estateRoles } from '../iam/roles';

/*
 * The Git server's permissions, judged from the calls its data script made in the Git data
 * drill (recorded by the emulator, signed `git.<region>`), against its role as the estate
 * synthesizes it: the inline and attached policies, the workload boundary, and the storage key's
 * policy for the KMS calls S3 makes with the caller's permissions on the SSE-KMS bucket.
 */

/** The verdict on the Git servers' calls. */
export interface GitPermissions {
  readonly calls: number;
  readonly evaluated: number;
  readonly denied: readonly string[];
  readonly unplaced: readonly string[];
}

/** The storage key of each region as the bootstrap stacks create it. */
function storageKeys(stacks: Readonly<Record<string, TerraformJson>>, config: EstateConfig): KeyFacts[] {
  return [config.primary.region, config.dr.region].flatMap((region) => {
    const json = stacks[stackName('bootstrap', region)];
    const place = { accountId: config.accountId, region };
    return Object.entries(json.resource?.aws_kms_key ?? {}).map(([name, key]) => ({
      arn: `arn:aws:kms:${region}:${config.accountId}:key/${name}`,
      aliases: Object.values(json.resource?.aws_kms_alias ?? {})
        .filter((alias) => String(alias.target_key_id).includes(`aws_kms_key.${name}.`))
        .map((alias) => resolveText(json, place, String(alias.name))),
      policy: policyArgument(json, place, key.policy),
    }));
  });
}

export async function judgeGitServerCalls(recorded: string, stacks: Readonly<Record<string, TerraformJson>>, config: EstateConfig): Promise<GitPermissions> {
  const roles = estateRoles(stacks, config.accountId);
  const keys = storageKeys(stacks, config);
  const regions = [config.primary.region, config.dr.region];
  const facts: AccountFacts = {
    roles: {},
    customerPolicies: {},
    profiles: {},
    launchTemplates: {},
    keys,
    tables: {},
    secrets: {},
    // Each backup bucket is encrypted by default with its region's storage key.
    buckets: Object.fromEntries(regions.map((region) => [gitBackupBucketName(config, region), { region, key: keys.find((k) => k.arn.split(':')[3] === region)?.arn ?? null }])),
  };
  const denied: string[] = [];
  const unplaced: string[] = [];
  let calls = 0;
  let evaluated = 0;
  for (const call of parseRecordedCalls(recorded).calls.filter((c) => c.accessKey.startsWith('git.'))) {
    calls++;
    const region = call.accessKey.slice('git.'.length);
    const roleName = `${regionalName(config, region as EstateConfig['primary']['region'])}-git`;
    const role = roles.get(roleName);
    if (!role) {
      unplaced.push(`${call.service} ${call.operation ?? call.method}: the estate has no role ${roleName}`);
      continue;
    }
    const mapped = await requestsFor(call, facts, config.accountId);
    if (mapped.unplaced) unplaced.push(mapped.unplaced);
    for (const request of mapped.requests) {
      evaluated++;
      const decision = await evaluate(role, request, config.accountId);
      if (!decision.allowed) {
        denied.push(`${roleName} may not ${request.action} on ${request.resource}${request.implied ? ` (for ${request.call}: ${request.implied})` : ''}: ${decision.result}, ${decision.errors ?? (decision.deciding.join(', ') || 'no statement allows it')}`);
      }
    }
  }
  return { calls, evaluated, denied: [...new Set(denied)], unplaced: [...new Set(unplaced)] };
}
