import { databaseSecretName, gitBackupBucketName, grafanaAdminSecretName, stateBucketName, stateKey, storageKeyAlias } from '../../config/naming';
import { policyArgument, stackRegion, type PolicyDocument } from '../../scripts/iam/documents';
import { evaluate, type IamRequest } from '../../scripts/iam/evaluate';
import { estateRoles, type RoleModel } from '../../scripts/iam/roles';
import { synthEstate } from '../helpers';

/*
 * What each CI role may and may not do, judged by a real IAM policy evaluator
 * (@cloud-copilot/iam-simulate) on the policies the estate synthesizes: identity policies (AWS
 * managed ones as AWS publishes them), permissions boundaries, and the resource's policy (the
 * storage key's key policy, a role's trust). Each row is one request; its source says why the
 * request has that shape (which service asks, with which context keys).
 */

const { config, byName } = synthEstate();
const stacks = Object.fromEntries(Object.entries(byName).map(([name, s]) => [name, s.json]));
const roles = estateRoles(stacks, config.accountId);
const account = config.accountId;
const [primary, dr] = [config.primary.region, config.dr.region];
const prefix = `${config.project}-${config.environment}`;

const role = (name: string): RoleModel => {
  const found = roles.get(`${prefix}-${name}`);
  if (!found) throw new Error(`no role ${prefix}-${name}`);
  return found;
};

/** A region's storage key policy, as the DR/primary bootstrap stack synthesizes it. */
const keyPolicy = (region: string): PolicyDocument => {
  const json = byName[`bootstrap-${region}`].json;
  return policyArgument(json, { accountId: account, region: stackRegion(json) }, json.resource.aws_kms_key.storage_key_key.policy);
};
const storageKey = (region: string) => `arn:aws:kms:${region}:${account}:key/storage_key_key`;

/** A KMS call a service makes with the caller's permissions (kms:ViaService), under a region's storage key. */
const viaService = (service: string, region: string, action: string, context: Record<string, string> = {}): IamRequest => ({
  action,
  resource: storageKey(region),
  resourcePolicy: keyPolicy(region),
  context: {
    'aws:RequestedRegion': region,
    'aws:ViaAWSService': 'true',
    'kms:ViaService': `${service}.${region}.amazonaws.com`,
    'kms:CallerAccount': account,
    'kms:ResourceAliases': [storageKeyAlias(config)],
    ...context,
  },
});
const inRegion = (region: string, action: string, resource: string, context: Record<string, string | string[]> = {}): IamRequest => ({
  action,
  resource,
  context: { 'aws:RequestedRegion': region, ...context },
});
const iam = (action: string, resource: string, context: Record<string, string | string[]> = {}) => inRegion('us-east-1', action, resource, context);
const roleArn = (name: string) => `arn:aws:iam::${account}:role/${prefix}-${name}`;
const workloadBoundary = `arn:aws:iam::${account}:policy/${prefix}-workload-boundary`;
const secret = (region: string, name: string) => `arn:aws:secretsmanager:${region}:${account}:secret:${name}-AbC123`;
const object = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;
const record = (names: string[], types: string[]) =>
  inRegion('us-east-1', 'route53:ChangeResourceRecordSets', 'arn:aws:route53:::hostedzone/Z0ESTATE', {
    'route53:ChangeResourceRecordSetsNormalizedRecordNames': names,
    'route53:ChangeResourceRecordSetsRecordTypes': types,
    'route53:ChangeResourceRecordSetsActions': ['UPSERT'],
  });

const drState = stateBucketName(config, dr);
const drBackups = gitBackupBucketName(config, dr);
const dnsStateKey = stateKey(config, 'dns-global');
/** The DNS stack's state key under its name before the rename (config/naming.ts RENAMED_STACKS). */
const oldDnsStateKey = stateKey(config, 'dr-global');
const regionalStateKey = stateKey(config, `regional-${primary}`);

type Row = readonly [finding: string, role: string, what: string, request: IamRequest, allowed: boolean];

const ROWS: readonly Row[] = [
  // 1. The DNS deploy role takes its state lock (KMS Developer Guide, "How Amazon DynamoDB uses
  //    AWS KMS": DynamoDB uses a customer managed key with the caller's permissions;
  //    ministryofjustice/modernisation-platform#5630: "KMS key access denied ... GetItem").
  ['1', 'ci-deploy-dns', 'puts its lock item', inRegion(dr, 'dynamodb:PutItem', `arn:aws:dynamodb:${dr}:${account}:table/${config.stateBackend.lockTableName}`), true],
  ['1', 'ci-deploy-dns', 'lets DynamoDB decrypt the lock table with its permissions', viaService('dynamodb', dr, 'kms:Decrypt'), true],
  ['1', 'ci-deploy-dns', 'writes its own state under the storage key', inRegion(dr, 's3:PutObject', object(drState, dnsStateKey)), true],
  ['1', 'ci-deploy-dns', 'lets S3 encrypt its state with its permissions', viaService('s3', dr, 'kms:GenerateDataKey'), true],
  ['1', 'ci-deploy-dns', 'never writes a regional stack\'s state', inRegion(dr, 's3:PutObject', object(drState, regionalStateKey)), false],
  ['1', 'ci-deploy-dns', 'never writes the state under the stack\'s old name (state:move is an administrator\'s)', inRegion(dr, 's3:PutObject', object(drState, oldDnsStateKey)), false],
  // 2. The plan role plans every stack (Secrets Manager API Reference, GetRandomPassword: no
  //    resource type; terraform-provider-aws#42383: a write-only version is still read on refresh).
  ['2', 'ci-plan', 'generates the ephemeral database password', inRegion(primary, 'secretsmanager:GetRandomPassword', '*'), true],
  ['2', 'ci-plan', 'opens the database secret', inRegion(primary, 'secretsmanager:GetSecretValue', secret(primary, databaseSecretName(config))), true],
  ['2', 'ci-plan', 'refreshes the Grafana admin copy', inRegion(dr, 'secretsmanager:GetSecretValue', secret(dr, grafanaAdminSecretName(config, dr))), true],
  ['2', 'ci-plan', 'lets Secrets Manager decrypt with its permissions', viaService('secretsmanager', primary, 'kms:Decrypt'), true],
  ['2', 'ci-plan', 'reads the states', inRegion(dr, 's3:GetObject', object(drState, regionalStateKey)), true],
  ['2', 'ci-plan', 'reads the state under the DNS stack\'s old name (the live-DNS guard\'s check for a state not moved)', inRegion(dr, 's3:GetObject', object(drState, oldDnsStateKey)), true],
  ['2', 'ci-plan', 'reads a state\'s digest from the lock table', inRegion(dr, 'dynamodb:GetItem', `arn:aws:dynamodb:${dr}:${account}:table/${config.stateBackend.lockTableName}`), true],
  ['2', 'ci-plan', 'lets DynamoDB decrypt the lock table with its permissions (the digest read)', viaService('dynamodb', dr, 'kms:Decrypt'), true],
  ['2', 'ci-plan', 'never takes a lock', inRegion(dr, 'dynamodb:PutItem', `arn:aws:dynamodb:${dr}:${account}:table/${config.stateBackend.lockTableName}`), false],
  ['2', 'ci-plan', 'never reads a Git backup', inRegion(dr, 's3:GetObject', object(drBackups, 'gitea/backup.tar.gz')), false],
  ['2', 'ci-plan', 'writes nothing', inRegion(dr, 's3:PutObject', object(drState, regionalStateKey)), false],
  // 3. Pull request code reads no secret, no Git backup and no data key (S3 User Guide, SSE-KMS:
  //    the encryption context is the object's ARN).
  ['3', 'ci-review', 'reads the states', inRegion(dr, 's3:GetObject', object(drState, regionalStateKey)), true],
  ['3', 'ci-review', 'lets S3 decrypt a state with its permissions', viaService('s3', dr, 'kms:Decrypt'), true],
  ['3', 'ci-review', 'lets DynamoDB decrypt the lock table with its permissions (the digest read)', viaService('dynamodb', dr, 'kms:Decrypt'), true],
  ['3', 'ci-review', 'reads AWS\'s public AMI parameter', inRegion(primary, 'ssm:GetParameter', `arn:aws:ssm:${primary}:aws:parameter/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64`), true],
  ['3', 'ci-review', 'never reads the account\'s own parameters', inRegion(primary, 'ssm:GetParameter', `arn:aws:ssm:${primary}:${account}:parameter/estate/token`), false],
  ['3', 'ci-review', 'reads the DR position parameter (no secret; every plan of a regional stack refreshes it: seen denied by the drill\'s permission proof)', inRegion(dr, 'ssm:GetParameter', `arn:aws:ssm:${dr}:${account}:parameter/dr-estate-prod/dr-posture`), true],
  ['3', 'ci-review', 'never reads another parameter under the estate\'s prefix', inRegion(dr, 'ssm:GetParameter', `arn:aws:ssm:${dr}:${account}:parameter/dr-estate-prod/other`), false],
  ['3', 'ci-review', 'reads the zone\'s records', iam('route53:ListResourceRecordSets', 'arn:aws:route53:::hostedzone/Z0ESTATE'), true],
  ['3', 'ci-review', 'never opens the database secret', inRegion(primary, 'secretsmanager:GetSecretValue', secret(primary, databaseSecretName(config))), false],
  ['3', 'ci-review', 'never lets Secrets Manager decrypt for it', viaService('secretsmanager', primary, 'kms:Decrypt'), false],
  ['3', 'ci-review', 'never reads a Git backup', inRegion(dr, 's3:GetObject', object(drBackups, 'gitea/backup.tar.gz')), false],
  ['3', 'ci-review', 'never reads an older Git backup version', inRegion(dr, 's3:GetObjectVersion', object(drBackups, 'gitea/backup.tar.gz')), false],
  ['3', 'ci-review', 'never decrypts with the key directly', inRegion(dr, 'kms:Decrypt', storageKey(dr), { 'kms:ResourceAliases': [storageKeyAlias(config)] }), false],
  // 4. The deploy roles cannot escalate (IAM User Guide, "Permissions boundaries for IAM
  //    entities"; iam:PassedToService, iam:PolicyARN; Route 53 fine-grained conditions).
  ['4', `ci-deploy-${primary}`, 'creates its region\'s role with the workload boundary', iam('iam:CreateRole', roleArn(`${primary}-app`), { 'iam:PermissionsBoundary': workloadBoundary }), true],
  ['4', `ci-deploy-${primary}`, 'never creates a role without the boundary', iam('iam:CreateRole', roleArn(`${primary}-app`)), false],
  ['4', `ci-deploy-${primary}`, 'never creates the other region\'s roles', iam('iam:CreateRole', roleArn(`${dr}-app`), { 'iam:PermissionsBoundary': workloadBoundary }), false],
  ['4', `ci-deploy-${primary}`, 'attaches the estate\'s managed policies', iam('iam:AttachRolePolicy', roleArn(`${primary}-app`), { 'iam:PermissionsBoundary': workloadBoundary, 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore' }), true],
  ['4', `ci-deploy-${primary}`, 'never attaches AdministratorAccess', iam('iam:AttachRolePolicy', roleArn(`${primary}-app`), { 'iam:PermissionsBoundary': workloadBoundary, 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' }), false],
  ['4', `ci-deploy-${primary}`, 'never removes a boundary', iam('iam:DeleteRolePermissionsBoundary', roleArn(`${primary}-app`), { 'iam:PermissionsBoundary': workloadBoundary }), false],
  ['4', `ci-deploy-${primary}`, 'never edits the workload boundary', iam('iam:CreatePolicyVersion', workloadBoundary), false],
  ['4', `ci-deploy-${primary}`, 'never re-trusts itself', iam('iam:UpdateAssumeRolePolicy', roleArn(`ci-deploy-${primary}`)), false],
  ['4', `ci-deploy-${primary}`, 'never re-trusts the plan role', iam('iam:UpdateAssumeRolePolicy', roleArn('ci-plan')), false],
  ['4', `ci-deploy-${primary}`, 'never re-trusts the other region\'s roles', iam('iam:UpdateAssumeRolePolicy', roleArn(`${dr}-app`)), false],
  ['4', `ci-deploy-${primary}`, 're-trusts its own region\'s roles', iam('iam:UpdateAssumeRolePolicy', roleArn(`${primary}-app`)), true],
  ['4', `ci-deploy-${primary}`, 'never edits the OIDC provider', iam('iam:AddClientIDToOpenIDConnectProvider', `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com`), false],
  ['4', `ci-deploy-${primary}`, 'passes its roles to EC2', iam('iam:PassRole', roleArn(`${primary}-app`), { 'iam:PassedToService': 'ec2.amazonaws.com' }), true],
  ['4', `ci-deploy-${primary}`, 'never passes a role to Lambda', iam('iam:PassRole', roleArn(`${primary}-app`), { 'iam:PassedToService': 'lambda.amazonaws.com' }), false],
  ['4', `ci-deploy-${primary}`, 'never assumes the other region\'s deploy role', { ...iam('sts:AssumeRole', roleArn(`ci-deploy-${dr}`)), resourcePolicy: roles.get(`${prefix}-ci-deploy-${dr}`)!.trust }, false],
  ['4', `ci-deploy-${primary}`, 'writes certificate validation records', record([`_0a1b2c.${config.dns.appRecordName}.${config.dns.zoneName}`], ['CNAME']), true],
  ['4', `ci-deploy-${primary}`, 'never writes the app\'s failover records', record([`${config.dns.appRecordName}.${config.dns.zoneName}`], ['A']), false],
  ['4', `ci-deploy-${primary}`, 'never creates a health check', iam('route53:CreateHealthCheck', '*'), false],
  ['4', `ci-deploy-${primary}`, 'never acts in the other region', inRegion(dr, 'ec2:RunInstances', `arn:aws:ec2:${dr}:${account}:instance/*`), false],
  ['4', 'ci-deploy-dns', 'writes the app\'s failover records', record([`${config.dns.appRecordName}.${config.dns.zoneName}`], ['A']), true],
  ['4', 'ci-deploy-dns', 'creates health checks', iam('route53:CreateHealthCheck', '*'), true],
  ['4', 'ci-deploy-dns', 'never launches an instance', inRegion(dr, 'ec2:RunInstances', `arn:aws:ec2:${dr}:${account}:instance/*`), false],
  ['4', 'ci-deploy-dns', 'never creates a role', iam('iam:CreateRole', roleArn(`${dr}-app`), { 'iam:PermissionsBoundary': workloadBoundary }), false],
  ['4', 'ci-deploy', 'assumes the scoped deploy roles', { ...iam('sts:AssumeRole', roleArn(`ci-deploy-${dr}`)), resourcePolicy: roles.get(`${prefix}-ci-deploy-${dr}`)!.trust }, true],
  ['4', 'ci-deploy', 'never assumes the plan role', iam('sts:AssumeRole', roleArn('ci-plan')), false],
  ['4', `${primary}-app`, 'a role a deploy created never creates roles', iam('iam:CreateRole', roleArn(`${primary}-x`), { 'iam:PermissionsBoundary': workloadBoundary }), false],
  ['4', `${primary}-git`, 'a role a deploy created never assumes a CI role', iam('sts:AssumeRole', roleArn(`ci-deploy-${primary}`)), false],
];

test.each(ROWS)('finding %s: %s %s', async (_finding, name, what, request, allowed) => {
  const decision = await evaluate(role(name), request, account);
  expect(decision.errors).toBeUndefined();
  expect({ role: name, what, allowed: decision.allowed, result: decision.result, deciding: decision.deciding }).toMatchObject({ role: name, what, allowed });
});

test('every role a regional or monitoring stack creates carries the workload boundary', () => {
  const created = [...roles.values()].filter((r) => /^(regional|monitoring)-/.test(r.stack));
  expect(created.length).toBeGreaterThan(10);
  expect(created.filter((r) => r.boundary?.name !== `${prefix}-workload-boundary`).map((r) => r.name)).toEqual([]);
});

test('every CI deploy role carries the ci-deploy boundary', () => {
  const deploy = [...roles.values()].filter((r) => r.name.startsWith(`${prefix}-ci-deploy`));
  expect(deploy.map((r) => [r.name, r.boundary?.name])).toEqual(deploy.map((r) => [r.name, `${prefix}-ci-deploy-boundary`]));
});

test('the regional deploy roles may attach exactly the managed policies the regional and monitoring stacks attach', () => {
  const attached = new Set(
    Object.entries(stacks)
      .filter(([name]) => /^(regional|monitoring)-/.test(name))
      .flatMap(([, json]) => Object.values(json.resource.aws_iam_role_policy_attachment ?? {}).map((a) => String(a.policy_arn))),
  );
  const statement = role(`ci-deploy-${primary}`)
    .identityPolicies.flatMap((p) => p.policy.Statement)
    .find((s) => s.Sid === 'AttachOnlyTheEstatesManagedPolicies') as { Condition: { ArnEquals: { 'iam:PolicyARN': string[] } } };
  expect(new Set(statement.Condition.ArnEquals['iam:PolicyARN'])).toEqual(attached);
});

test('the lock row is alive: without the lock table key grant the DNS role\'s DynamoDB decrypt is denied', async () => {
  const dns = role('ci-deploy-dns');
  const without: RoleModel = {
    ...dns,
    identityPolicies: dns.identityPolicies.map((p) => ({ ...p, policy: { ...p.policy, Statement: p.policy.Statement.filter((s) => s.Sid !== 'TheLockTableUnderTheStorageKey') } })),
  };
  expect((await evaluate(dns, viaService('dynamodb', dr, 'kms:Decrypt'), account)).allowed).toBe(true);
  expect(await evaluate(without, viaService('dynamodb', dr, 'kms:Decrypt'), account)).toMatchObject({ allowed: false, result: 'ImplicitlyDenied' });
});

test('a context key the evaluator does not take for an action is an error, never a silent "missing key"', async () => {
  const decision = await evaluate(role('ci-review'), viaService('s3', dr, 'kms:Decrypt', { 'kms:EncryptionContext:aws:s3:arn': `arn:aws:s3:::${drState}` }), account);
  expect(decision).toMatchObject({ allowed: false, result: 'Invalid', errors: expect.stringContaining('kms:EncryptionContext:aws:s3:arn') });
});
