import type { RecordedCall } from './calls';

/*
 * The IAM action and resource of a REST protocol request (S3, Route 53, EKS), read from its
 * method and path as the services' API references define them; the JSON and query protocols
 * name their operation themselves (./calls.ts). Sources: Amazon S3 API Reference and the S3
 * User Guide's "Amazon S3 actions" (a subresource GET or PUT maps to s3:Get/Put<Subresource>;
 * HeadObject is authorized as s3:GetObject, HeadBucket as s3:ListBucket); Route 53 API
 * Reference (paths under /2013-04-01/); Amazon EKS API Reference.
 */

/** An operation placed: its IAM action and resource ARN. */
export interface RestOperation {
  readonly action: string;
  readonly resource: string;
}

/** S3 bucket subresources: the IAM action of a GET, PUT and DELETE of each. */
const S3_SUBRESOURCES: Readonly<Record<string, readonly [get: string, put?: string, del?: string]>> = {
  accelerate: ['GetAccelerateConfiguration', 'PutAccelerateConfiguration'],
  acl: ['GetBucketAcl', 'PutBucketAcl'],
  cors: ['GetBucketCORS', 'PutBucketCORS', 'PutBucketCORS'],
  encryption: ['GetEncryptionConfiguration', 'PutEncryptionConfiguration', 'PutEncryptionConfiguration'],
  lifecycle: ['GetLifecycleConfiguration', 'PutLifecycleConfiguration', 'PutLifecycleConfiguration'],
  location: ['GetBucketLocation'],
  logging: ['GetBucketLogging', 'PutBucketLogging'],
  notification: ['GetBucketNotification', 'PutBucketNotification'],
  'object-lock': ['GetBucketObjectLockConfiguration', 'PutBucketObjectLockConfiguration'],
  ownershipControls: ['GetBucketOwnershipControls', 'PutBucketOwnershipControls', 'PutBucketOwnershipControls'],
  policy: ['GetBucketPolicy', 'PutBucketPolicy', 'DeleteBucketPolicy'],
  policyStatus: ['GetBucketPolicyStatus'],
  publicAccessBlock: ['GetBucketPublicAccessBlock', 'PutBucketPublicAccessBlock', 'PutBucketPublicAccessBlock'],
  replication: ['GetReplicationConfiguration', 'PutReplicationConfiguration', 'PutReplicationConfiguration'],
  requestPayment: ['GetBucketRequestPayment', 'PutBucketRequestPayment'],
  tagging: ['GetBucketTagging', 'PutBucketTagging', 'PutBucketTagging'],
  versioning: ['GetBucketVersioning', 'PutBucketVersioning'],
  website: ['GetBucketWebsite', 'PutBucketWebsite', 'DeleteBucketWebsite'],
  'intelligent-tiering': ['GetIntelligentTieringConfiguration', 'PutIntelligentTieringConfiguration'],
  analytics: ['GetAnalyticsConfiguration', 'PutAnalyticsConfiguration'],
  metrics: ['GetMetricsConfiguration', 'PutMetricsConfiguration'],
  inventory: ['GetInventoryConfiguration', 'PutInventoryConfiguration'],
};

/** Query parameters the SDKs add that name no subresource. */
const S3_PLAIN_PARAMETERS = new Set(['x-id', 'list-type', 'max-keys', 'prefix', 'encoding-type', 'delimiter', 'continuation-token', 'start-after', 'fetch-owner', 'key-marker', 'version-id-marker', 'versionId', 'uploadId', 'partNumber']);

function s3(call: RecordedCall): RestOperation | undefined {
  const [bucket, ...keyParts] = call.path.replace(/^\//, '').split('/');
  const key = keyParts.join('/');
  const m = call.method;
  if (!bucket) return m === 'GET' ? { action: 's3:ListAllMyBuckets', resource: '*' } : undefined;
  const bucketArn = `arn:aws:s3:::${bucket}`;
  if (key) {
    const version = call.query.versionId !== undefined;
    const object = `${bucketArn}/${key}`;
    if (call.query.tagging !== undefined) return { action: m === 'GET' ? 's3:GetObjectTagging' : 's3:PutObjectTagging', resource: object };
    if (m === 'GET' || m === 'HEAD') return { action: version ? 's3:GetObjectVersion' : 's3:GetObject', resource: object };
    if (m === 'PUT') return { action: 's3:PutObject', resource: object };
    if (m === 'DELETE') return { action: version ? 's3:DeleteObjectVersion' : 's3:DeleteObject', resource: object };
    return undefined;
  }
  const subresources = Object.keys(call.query).filter((q) => !S3_PLAIN_PARAMETERS.has(q));
  if (subresources.length === 0) {
    if (m === 'GET' || m === 'HEAD') return { action: 's3:ListBucket', resource: bucketArn };
    if (m === 'PUT') return { action: 's3:CreateBucket', resource: bucketArn };
    if (m === 'DELETE') return { action: 's3:DeleteBucket', resource: bucketArn };
    return undefined;
  }
  if (subresources.length === 1 && subresources[0] === 'versions' && m === 'GET') return { action: 's3:ListBucketVersions', resource: bucketArn };
  if (subresources.length === 1 && subresources[0] === 'delete' && m === 'POST') return { action: 's3:DeleteObject', resource: `${bucketArn}/*` };
  const names = subresources.length === 1 ? S3_SUBRESOURCES[subresources[0]] : undefined;
  const index = ({ GET: 0, PUT: 1, DELETE: 2 } as Record<string, 0 | 1 | 2>)[m];
  const action = names && index !== undefined ? names[index] : undefined;
  return action ? { action: `s3:${action}`, resource: bucketArn } : undefined;
}

/** Route 53 routes under /2013-04-01/: [method, path pattern, action, resource]. */
const ROUTE53: readonly [string, RegExp, string, (m: RegExpExecArray) => string][] = [
  ['GET', /^\/hostedzone$/, 'ListHostedZones', () => '*'],
  ['POST', /^\/hostedzone$/, 'CreateHostedZone', () => '*'],
  ['GET', /^\/hostedzonesbyname$/, 'ListHostedZonesByName', () => '*'],
  ['GET', /^\/hostedzonecount$/, 'GetHostedZoneCount', () => '*'],
  ['GET', /^\/hostedzone\/([^/]+)$/, 'GetHostedZone', (m) => `arn:aws:route53:::hostedzone/${m[1]}`],
  ['DELETE', /^\/hostedzone\/([^/]+)$/, 'DeleteHostedZone', (m) => `arn:aws:route53:::hostedzone/${m[1]}`],
  ['GET', /^\/hostedzone\/([^/]+)\/rrset$/, 'ListResourceRecordSets', (m) => `arn:aws:route53:::hostedzone/${m[1]}`],
  ['POST', /^\/hostedzone\/([^/]+)\/rrset$/, 'ChangeResourceRecordSets', (m) => `arn:aws:route53:::hostedzone/${m[1]}`],
  ['GET', /^\/healthcheck$/, 'ListHealthChecks', () => '*'],
  ['POST', /^\/healthcheck$/, 'CreateHealthCheck', () => '*'],
  ['GET', /^\/healthcheck\/([^/]+)$/, 'GetHealthCheck', (m) => `arn:aws:route53:::healthcheck/${m[1]}`],
  ['POST', /^\/healthcheck\/([^/]+)$/, 'UpdateHealthCheck', (m) => `arn:aws:route53:::healthcheck/${m[1]}`],
  ['DELETE', /^\/healthcheck\/([^/]+)$/, 'DeleteHealthCheck', (m) => `arn:aws:route53:::healthcheck/${m[1]}`],
  ['GET', /^\/healthcheck\/([^/]+)\/status$/, 'GetHealthCheckStatus', (m) => `arn:aws:route53:::healthcheck/${m[1]}`],
  ['GET', /^\/change\/([^/]+)$/, 'GetChange', (m) => `arn:aws:route53:::change/${m[1]}`],
  ['GET', /^\/tags\/(hostedzone|healthcheck)\/([^/]+)$/, 'ListTagsForResource', (m) => `arn:aws:route53:::${m[1]}/${m[2]}`],
  ['POST', /^\/tags\/(hostedzone|healthcheck)\/([^/]+)$/, 'ChangeTagsForResource', (m) => `arn:aws:route53:::${m[1]}/${m[2]}`],
];

function route53(call: RecordedCall): RestOperation | undefined {
  const path = call.path.replace(/^\/2013-04-01/, '');
  for (const [method, pattern, action, resource] of ROUTE53) {
    const m = method === call.method ? pattern.exec(path) : null;
    if (m) return { action: `route53:${action}`, resource: resource(m) };
  }
  return undefined;
}

/** EKS routes: [method, path pattern, action, resource kind]. */
const EKS: readonly [string, RegExp, string, 'cluster' | 'nodegroup' | 'addon' | 'any'][] = [
  ['POST', /^\/clusters$/, 'CreateCluster', 'cluster'],
  ['GET', /^\/clusters$/, 'ListClusters', 'any'],
  ['GET', /^\/clusters\/([^/]+)$/, 'DescribeCluster', 'cluster'],
  ['DELETE', /^\/clusters\/([^/]+)$/, 'DeleteCluster', 'cluster'],
  ['POST', /^\/clusters\/([^/]+)\/update-config$/, 'UpdateClusterConfig', 'cluster'],
  ['POST', /^\/clusters\/([^/]+)\/updates$/, 'UpdateClusterVersion', 'cluster'],
  ['GET', /^\/clusters\/([^/]+)\/updates\/[^/]+$/, 'DescribeUpdate', 'cluster'],
  ['POST', /^\/clusters\/([^/]+)\/node-groups$/, 'CreateNodegroup', 'cluster'],
  ['GET', /^\/clusters\/([^/]+)\/node-groups$/, 'ListNodegroups', 'cluster'],
  ['GET', /^\/clusters\/([^/]+)\/node-groups\/([^/]+)$/, 'DescribeNodegroup', 'nodegroup'],
  ['DELETE', /^\/clusters\/([^/]+)\/node-groups\/([^/]+)$/, 'DeleteNodegroup', 'nodegroup'],
  ['POST', /^\/clusters\/([^/]+)\/node-groups\/([^/]+)\/update-config$/, 'UpdateNodegroupConfig', 'nodegroup'],
  ['POST', /^\/clusters\/([^/]+)\/node-groups\/([^/]+)\/update-version$/, 'UpdateNodegroupVersion', 'nodegroup'],
  ['GET', /^\/clusters\/([^/]+)\/addons\/([^/]+)$/, 'DescribeAddon', 'addon'],
  ['POST', /^\/clusters\/([^/]+)\/addons$/, 'CreateAddon', 'cluster'],
  ['GET', /^\/addons\/supported-versions$/, 'DescribeAddonVersions', 'any'],
];

function eks(call: RecordedCall, accountId: string): RestOperation | undefined {
  const base = `arn:aws:eks:${call.region}:${accountId}`;
  if (/^\/tags\//.test(call.path)) {
    const arn = call.path.slice('/tags/'.length);
    return { action: call.method === 'GET' ? 'eks:ListTagsForResource' : call.method === 'POST' ? 'eks:TagResource' : 'eks:UntagResource', resource: arn };
  }
  for (const [method, pattern, action, kind] of EKS) {
    const m = method === call.method ? pattern.exec(call.path) : null;
    if (!m) continue;
    const cluster = m[1] ?? (JSON.parse(call.body || '{}') as { name?: string }).name;
    const resource = kind === 'any' ? '*' : kind === 'cluster' ? `${base}:cluster/${cluster}` : kind === 'nodegroup' ? `${base}:nodegroup/${cluster}/${m[2]}/*` : `${base}:addon/${cluster}/${m[2]}/*`;
    return { action: `eks:${action}`, resource };
  }
  return undefined;
}

/** The IAM action and resource of a REST request, or undefined when no route knows it. */
export function restOperation(call: RecordedCall, accountId: string): RestOperation | undefined {
  if (call.service === 's3') return s3(call);
  if (call.service === 'route53') return route53(call);
  if (call.service === 'eks') return eks(call, accountId);
  return undefined;
}
