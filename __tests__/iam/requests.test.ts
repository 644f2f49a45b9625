import { parseRecordedCalls, type RecordedCall } from '../../scripts/iam/calls';
import type { AccountFacts } from '../../scripts/iam/facts';
import { requestsFor } from '../../scripts/iam/requests';
import { judgeCalls, permissionProblems } from '../../scripts/drill/permissions';

/*
 * Recorded calls (the emulator's lines, scripts/drill/moto_launcher.py) as IAM authorizes them:
 * the action and resource each protocol names, the context keys IAM sees, and the calls AWS
 * services make with the caller's permissions. Then a judgement end to end: the DNS role's lock
 * write is allowed with its lock table key grant, and denied, naming the call, without it.
 */

const account = '111122223333';
const keyArn = `arn:aws:kms:us-west-1:${account}:key/0d1e2f`;
const rootKeyPolicy = { Version: '2012-10-17' as const, Statement: [{ Sid: 'Root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' }] };

const line = (entry: { method: string; url: string; key: string; region: string; service: string; target?: string; form?: Record<string, string>; json?: unknown; xml?: string; headers?: Record<string, string> }) => {
  const body = entry.form ? new URLSearchParams(entry.form).toString() : entry.json ? JSON.stringify(entry.json) : (entry.xml ?? '');
  const contentType = entry.form ? 'application/x-www-form-urlencoded; charset=utf-8' : entry.json ? 'application/x-amz-json-1.0' : 'application/xml';
  return JSON.stringify({
    method: entry.method,
    url: `http://127.0.0.1:5000${entry.url}`,
    credential: `${entry.key}/20261205/${entry.region}/${entry.service}/aws4_request`,
    headers: { 'Content-Type': contentType, ...(entry.target ? { 'X-Amz-Target': entry.target } : {}), ...entry.headers },
    body: Buffer.from(body).toString('base64'),
  });
};
const one = (entry: Parameters<typeof line>[0]): RecordedCall => parseRecordedCalls(line(entry)).calls[0];

const dnsPolicy = (withLockKey: boolean) => ({
  Version: '2012-10-17' as const,
  Statement: [
    { Sid: 'TheLockTable', Effect: 'Allow', Action: ['dynamodb:PutItem'], Resource: `arn:aws:dynamodb:us-west-1:${account}:table/locks` },
    ...(withLockKey
      ? [{ Sid: 'TheLockTableKey', Effect: 'Allow', Action: 'kms:Decrypt', Resource: `arn:aws:kms:*:${account}:key/*`, Condition: { StringLike: { 'kms:ViaService': 'dynamodb.us-west-1.amazonaws.com' } } }]
      : []),
  ],
});
const facts = (withLockKey = true): AccountFacts => ({
  roles: { 'p-ci-deploy-dns': { trust: { Version: '2012-10-17', Statement: [] }, inline: [{ name: 'scope', policy: dnsPolicy(withLockKey) }], attached: [], boundary: null } },
  customerPolicies: {},
  profiles: { 'p-us-east-2-app': ['p-us-east-2-app'] },
  launchTemplates: {},
  keys: [{ arn: keyArn, aliases: ['alias/p-storage'], policy: rootKeyPolicy }],
  tables: { 'us-west-1/locks': keyArn },
  secrets: {},
  buckets: { state: { region: 'us-west-1', key: keyArn } },
});

test('the recorded lines name who signed (key, region, service) and what was asked; the emulator\'s own API calls are counted apart', () => {
  const { calls, unsigned } = parseRecordedCalls(
    [
      line({ method: 'POST', url: '/', key: 'deploy-dns.dns-global', region: 'us-west-1', service: 'dynamodb', target: 'DynamoDB_20120810.PutItem', json: { TableName: 'locks' } }),
      JSON.stringify({ method: 'GET', url: 'http://127.0.0.1:5000/', credential: '', headers: {}, body: '' }),
    ].join('\n'),
  );
  expect(unsigned).toBe(1);
  expect(calls[0]).toMatchObject({ accessKey: 'deploy-dns.dns-global', region: 'us-west-1', service: 'dynamodb', operation: 'PutItem' });
});

test('a lock write is dynamodb:PutItem on the table, and DynamoDB\'s kms:Decrypt of the table key through dynamodb with the caller\'s permissions', async () => {
  const mapped = await requestsFor(one({ method: 'POST', url: '/', key: 'k.s', region: 'us-west-1', service: 'dynamodb', target: 'DynamoDB_20120810.PutItem', json: { TableName: 'locks' } }), facts(), account);
  expect(mapped.unplaced).toBeUndefined();
  expect(mapped.requests.map((r) => [r.action, r.resource])).toEqual([
    ['dynamodb:PutItem', `arn:aws:dynamodb:us-west-1:${account}:table/locks`],
    ['kms:Decrypt', keyArn],
  ]);
  expect(mapped.requests[1].context).toMatchObject({ 'kms:ViaService': 'dynamodb.us-west-1.amazonaws.com', 'aws:ViaAWSService': 'true', 'kms:ResourceAliases': ['alias/p-storage'] });
});

test.each([
  ['GET', '/state?versioning', 's3:GetBucketVersioning', 'arn:aws:s3:::state', []],
  ['PUT', '/state?replication', 's3:PutReplicationConfiguration', 'arn:aws:s3:::state', []],
  ['HEAD', '/state/prod/x/terraform.tfstate', 's3:GetObject', 'arn:aws:s3:::state/prod/x/terraform.tfstate', []],
  ['GET', '/state/prod/x/terraform.tfstate?x-id=GetObject', 's3:GetObject', 'arn:aws:s3:::state/prod/x/terraform.tfstate', ['kms:Decrypt']],
  ['PUT', '/state/prod/x/terraform.tfstate?x-id=PutObject', 's3:PutObject', 'arn:aws:s3:::state/prod/x/terraform.tfstate', ['kms:GenerateDataKey']],
  ['GET', '/state?list-type=2&prefix=prod', 's3:ListBucket', 'arn:aws:s3:::state', []],
] as const)('S3 %s %s is %s on %s (and S3 calls %j for it)', async (method, url, action, resource, implied) => {
  const mapped = await requestsFor(one({ method, url, key: 'k.s', region: 'us-west-1', service: 's3' }), facts(), account);
  expect(mapped.requests.map((r) => r.action)).toEqual([action, ...implied]);
  expect(mapped.requests[0].resource).toBe(resource);
});

test('a Route 53 change carries the record names (normalized), types and actions IAM conditions see', async () => {
  const xml = '<ChangeBatch><Changes><Change><Action>UPSERT</Action><ResourceRecordSet><Name>App.Example.org.</Name><Type>A</Type></ResourceRecordSet></Change></Changes></ChangeBatch>';
  const mapped = await requestsFor(one({ method: 'POST', url: '/2013-04-01/hostedzone/Z1/rrset', key: 'k.s', region: 'us-east-1', service: 'route53', xml }), facts(), account);
  expect(mapped.requests[0]).toMatchObject({
    action: 'route53:ChangeResourceRecordSets',
    resource: 'arn:aws:route53:::hostedzone/Z1',
    context: {
      'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['app.example.org'],
      'route53:ChangeResourceRecordSetsRecordTypes': ['A'],
      'route53:ChangeResourceRecordSetsActions': ['UPSERT'],
    },
  });
});

test('creating a role carries the boundary it is given; launching an instance passes its profile\'s role to EC2', async () => {
  const create = await requestsFor(
    one({ method: 'POST', url: '/', key: 'k.s', region: 'us-east-1', service: 'iam', form: { Action: 'CreateRole', RoleName: 'p-us-east-2-app', PermissionsBoundary: `arn:aws:iam::${account}:policy/p-workload-boundary` } }),
    facts(),
    account,
  );
  expect(create.requests[0]).toMatchObject({ action: 'iam:CreateRole', resource: `arn:aws:iam::${account}:role/p-us-east-2-app`, context: { 'iam:PermissionsBoundary': `arn:aws:iam::${account}:policy/p-workload-boundary` } });
  const run = await requestsFor(one({ method: 'POST', url: '/', key: 'k.s', region: 'us-east-2', service: 'ec2', form: { Action: 'RunInstances', 'IamInstanceProfile.Name': 'p-us-east-2-app' } }), facts(), account);
  expect(run.requests.slice(1)).toEqual([expect.objectContaining({ action: 'iam:PassRole', resource: `arn:aws:iam::${account}:role/p-us-east-2-app`, context: expect.objectContaining({ 'iam:PassedToService': 'ec2.amazonaws.com' }) })]);
});

test('a route no table knows is unplaced, with why', async () => {
  const mapped = await requestsFor(one({ method: 'PATCH', url: '/clusters/c/whatever', key: 'k.s', region: 'us-east-2', service: 'eks' }), facts(), account);
  expect(mapped).toEqual({ requests: [], unplaced: 'eks PATCH /clusters/c/whatever: no operation known for this route' });
});

test('judged end to end: the DNS role\'s lock write passes with its lock table key grant, and without it fails naming the KMS call, the role and the call it was for', async () => {
  const calls = parseRecordedCalls(
    line({ method: 'POST', url: '/', key: 'deploy-dns.dns-global', region: 'us-west-1', service: 'dynamodb', target: 'DynamoDB_20120810.PutItem', json: { TableName: 'locks' } }),
  ).calls;
  const granted = await judgeCalls(calls, facts(true), account, 'p-ci-');
  expect(granted).toMatchObject({ evaluated: 2, denied: 0, unplaced: 0 });
  const revoked = await judgeCalls(calls, facts(false), account, 'p-ci-');
  expect(revoked.denied).toBe(1);
  expect(permissionProblems(revoked)).toEqual([
    expect.stringMatching(/^dns-global: p-ci-deploy-dns may not kms:Decrypt on arn:aws:kms:us-west-1:111122223333:key\/0d1e2f \(for dynamodb:PutItem: DynamoDB decrypts .*\): ImplicitlyDenied/),
  ]);
});

test('calls of an administrator (the bootstrap stacks) and of the drill itself are counted, not judged', async () => {
  const calls = parseRecordedCalls(
    [
      line({ method: 'POST', url: '/', key: 'admin.bootstrap-us-west-1', region: 'us-west-1', service: 'dynamodb', target: 'DynamoDB_20120810.CreateTable', json: { TableName: 'locks' } }),
      line({ method: 'POST', url: '/', key: 'drill', region: 'us-west-1', service: 'dynamodb', target: 'DynamoDB_20120810.ListTables', json: {} }),
    ].join('\n'),
  ).calls;
  const report = await judgeCalls(calls, facts(), account, 'p-ci-');
  expect(report).toMatchObject({ stacks: [], evaluated: 0, notJudged: { 'bootstrap-us-west-1 (an administrator, by hand)': 1, "the drill's own reads and stand-ins": 1 } });
});

test('a denial the caller handles (the provider\'s iam:GetUser for its account id) is counted as tolerated, not a problem', async () => {
  const calls = parseRecordedCalls(line({ method: 'POST', url: '/', key: 'deploy-dns.dns-global', region: 'us-east-1', service: 'iam', form: { Action: 'GetUser', Version: '2010-05-08' } })).calls;
  const report = await judgeCalls(calls, facts(), account, 'p-ci-');
  expect(report).toMatchObject({ denied: 0, stacks: [{ stack: 'dns-global', tolerated: { 'iam:GetUser': 1 } }] });
  expect(permissionProblems(report)).toEqual([]);
});

test('an action IAM authorizes only on "*" (eks:CreateCluster) is placed on "*", whatever its route names', async () => {
  const mapped = await requestsFor(
    one({ method: 'POST', url: '/clusters', key: 'k.s', region: 'us-east-2', service: 'eks', json: { name: 'c', roleArn: `arn:aws:iam::${account}:role/p-us-east-2-cluster` } }),
    facts(),
    account,
  );
  expect(mapped.requests.map((r) => [r.action, r.resource])).toEqual([
    ['eks:CreateCluster', '*'],
    ['iam:PassRole', `arn:aws:iam::${account}:role/p-us-east-2-cluster`],
  ]);
});
