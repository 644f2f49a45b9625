import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deployRoleScope } from '../../config/ci';
import type { EstateConfig } from '../../config/load';
import { ciRoleArn, ciRoleName } from '../../config/naming';
import { UsageError } from '../cli';
import type { DeployIntent } from './plan-set';

/*
 * Each stack applied with its own scoped CI role (constructs/ci-access/): a region's regional
 * and monitoring stacks with deploy-<region>, the DNS stack with deploy-dns. Terraform's AWS
 * provider, its S3 backend and the `aws` CLI the Kubernetes providers run all read the shared
 * AWS config, so each stack gets a profile that assumes its role, and the SDK assumes it (and
 * assumes it again before it expires, however long the apply runs):
 *   env       from the credentials in the environment (GitHub: the deploy role's session, as
 *             the credentials action exported it), moved into a credentials file: keys in the
 *             environment would win over any profile.
 * The files live in a private temporary folder, removed when the deploy ends.
 */

export const ROLE_SOURCES = ['env'] as const;
export type RoleSource = (typeof ROLE_SOURCES)[number];

/** The environments stacks are applied in, one role per stack. */
export interface StackRoles {
  /** The environment a stack is applied in: its profile selected, no keys of the caller. */
  envFor(stack: string): NodeJS.ProcessEnv;
  /** One line per stack: which role it is applied as. */
  readonly summary: readonly string[];
  /** Removes the profile files. */
  dispose(): void;
}

/** Variables that select credentials and would win over (or confuse) the stack's profile. */
const CALLER_CREDENTIALS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE'];

const SOURCE_PROFILE = 'estate-ci-source';

/** Profiles assuming each stack's role from the environment's credentials (the only source, `env`); throws one sentence when it cannot. */
export function stackRoles(config: EstateConfig, stacks: readonly string[], _source: RoleSource, env: NodeJS.ProcessEnv, session: string): StackRoles {
  const scopes = new Map<string, ReturnType<typeof deployRoleScope>>();
  for (const stack of stacks) {
    const scope = deployRoleScope(config, stack);
    if (!scope) throw new Error(`${stack} has no CI deploy role (CI deploys the regional, monitoring and DR stacks only).`);
    scopes.set(stack, scope);
  }
  if (!(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY)) {
    throw new Error('--assume-stack-roles env: no AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment to assume the stacks\' roles from (in a pipeline, the deploy role\'s session that the credentials step exports).');
  }
  const dir = mkdtempSync(join(env.RUNNER_TEMP || tmpdir(), 'estate-stack-roles-'));
  chmodSync(dir, 0o700);
  const configFile = join(dir, 'config');
  const credentialsFile = join(dir, 'credentials');
  const sessionName = (scope: string) => `${session}-${scope}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
  const profiles = [...new Set(scopes.values())].map((scope) =>
    [
      `[profile estate-${scope}]`,
      `role_arn = ${ciRoleArn(config, scope!)}`,
      `role_session_name = ${sessionName(scope!)}`,
      `source_profile = ${SOURCE_PROFILE}`,
    ].join('\n'),
  );
  writeFileSync(configFile, `${profiles.join('\n\n')}\n`, { mode: 0o600 });
  const credentials = [`[${SOURCE_PROFILE}]`, `aws_access_key_id = ${env.AWS_ACCESS_KEY_ID}`, `aws_secret_access_key = ${env.AWS_SECRET_ACCESS_KEY}`, ...(env.AWS_SESSION_TOKEN ? [`aws_session_token = ${env.AWS_SESSION_TOKEN}`] : [])];
  writeFileSync(credentialsFile, `${credentials.join('\n')}\n`, { mode: 0o600 });

  const base: NodeJS.ProcessEnv = { ...env };
  for (const key of CALLER_CREDENTIALS) delete base[key];
  return {
    envFor(stack) {
      const scope = scopes.get(stack);
      if (!scope) throw new Error(`${stack} was not among the stacks given roles.`);
      return { ...base, AWS_CONFIG_FILE: configFile, AWS_SHARED_CREDENTIALS_FILE: credentialsFile, AWS_PROFILE: `estate-${scope}`, AWS_SDK_LOAD_CONFIG: '1' };
    },
    summary: stacks.map((stack) => `${stack} as ${ciRoleName(config, scopes.get(stack)!)}`),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The profiles each stack of the phase is applied with, as its own scoped CI role (stack-roles.ts). */
export function rolesFor(config: EstateConfig, posture: Pick<DeployIntent, 'steps'>, source: RoleSource, env: NodeJS.ProcessEnv): StackRoles {
  let roles: StackRoles;
  try {
    roles = stackRoles(config, posture.steps.map((s) => s.stack), source, env, `deploy-${env.GITHUB_RUN_ID ?? process.pid}`);
  } catch (problem) {
    throw new UsageError((problem as Error).message);
  }
  console.log(`deploy: each stack applied as its own role: ${roles.summary.join(', ')}`);
  return roles;
}
