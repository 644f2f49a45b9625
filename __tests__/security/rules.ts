/*
 * Checkov's AWS rules for the block types the estate emits, evaluated on synthesized JSON.
 *
 * checkov cannot be installed here (it comes from PyPI), so each rule's intent is written out
 * from its source in bridgecrewio/checkov (the commit and file of each are in
 * checkov-catalogue.json). Where checkov passes a rule on a value's absence, so does this; where
 * checkov only looks at one attribute, so does this. A rule answers `true` (passes), `false`
 * (fails) or `undefined` (does not apply to this block, as checkov's UNKNOWN).
 */
import { gunzipSync } from 'node:zlib';
import { type Entity, type Estate, type PolicyStatement, first, list } from './scan';

export type Verdict = boolean | undefined;
export type Rule = (entity: Entity, estate: Estate) => Verdict;

const v = (e: Entity) => e.values;
const isTrue = (x: unknown) => x === true || x === 'true';
const isSet = (x: unknown) => x !== undefined && x !== null && x !== '' && !(Array.isArray(x) && x.length === 0);
const WORLD = ['0.0.0.0/0', '::/0'];

/* ---------- IAM, after cloudsplaining's categories (actions allowed on every resource) ---------- */

/**
 * Actions AWS documents without resource-level permissions (the Service Authorization
 * Reference lists no resource type for them), so `"Resource": "*"` is the only possible value.
 */
const NO_RESOURCE_LEVEL = [
  /^ec2:Describe\w*$/,
  /^autoscaling:Describe\w*$/,
  /^elasticloadbalancing:Describe\w*$/,
  /^logs:DescribeLogGroups$/,
  /^cloudwatch:PutMetricData$/,
  /^sts:GetCallerIdentity$/,
  /^ssm:DescribeParameters$/,
  /^rds:DescribeDBEngineVersions$/,
  /^secretsmanager:GetRandomPassword$/,
  /^route53:(CreateHealthCheck|ListHostedZones|ListHostedZonesByName|ListHealthChecks|GetHostedZoneCount|GetHealthCheckCount)$/,
];
const restrictable = (action: string) => !NO_RESOURCE_LEVEL.some((re) => re.test(action));
const wildcard = (s: PolicyStatement) => s.resources.includes('*');
const allows = (statements: PolicyStatement[] | undefined) =>
  (statements ?? []).filter((s) => s.effect === 'Allow' && s.actions.length > 0);
/** Allowed on `*` with no condition, and restrictable: what cloudsplaining calls unconstrained. */
const unconstrained = (statements: PolicyStatement[] | undefined) =>
  allows(statements)
    .filter((s) => wildcard(s) && s.conditions === 0)
    .flatMap((s) => s.actions)
    .filter(restrictable);

const matchesAny = (action: string, patterns: RegExp[]) => patterns.some((re) => re.test(action));
const READ = /^[\w-]+:(Describe|Get|List|Search|Select|Lookup|Query|Scan|BatchGet|Head|View)\w*$/;
const PERMISSIONS_MANAGEMENT = [/^iam:/, /^kms:(PutKeyPolicy|CreateGrant|RetireGrant|RevokeGrant|\*)$/, /^s3:(PutBucketPolicy|PutBucketAcl|PutObjectAcl|DeleteBucketPolicy|\*)$/, /^sns:(AddPermission|SetTopicAttributes)$/, /^secretsmanager:PutResourcePolicy$/, /^\*$/];
const PRIVILEGE_ESCALATION = [/^iam:(PassRole|CreatePolicyVersion|SetDefaultPolicyVersion|Attach\w*Policy|Put\w*Policy|CreateAccessKey|CreateLoginProfile|UpdateLoginProfile|UpdateAssumeRolePolicy|AddUserToGroup|\*)$/, /^(iam|sts):\*$/, /^\*$/];
const CREDENTIALS_EXPOSURE = [/^iam:(CreateAccessKey|UpdateAccessKey|CreateServiceSpecificCredential|ResetServiceSpecificCredential|UpdateServiceSpecificCredential)$/, /^sts:(AssumeRole|GetSessionToken|GetFederationToken|\*)$/, /^ecr:GetAuthorizationToken$/, /^redshift:GetClusterCredentials$/, /^ec2:GetPasswordData$/, /^\*$/];
const DATA_EXFILTRATION = [/^s3:(GetObject|\*)$/, /^ssm:GetParameters?$/, /^ssm:GetParametersByPath$/, /^secretsmanager:GetSecretValue$/, /^kms:Decrypt$/, /^rds:CopyDBSnapshot$/, /^\*$/];

function iamRule(category: RegExp[] | 'write' | 'star-action' | 'star-resource' | 'full-admin'): (s: PolicyStatement[] | undefined) => Verdict {
  return (statements) => {
    if (!statements) return undefined;
    switch (category) {
      case 'full-admin':
        return !allows(statements).some((s) => wildcard(s) && s.actions.some((a) => a === '*' || a === '*:*'));
      case 'star-action':
        return !allows(statements).some((s) => s.actions.some((a) => a === '*' || a === '*:*'));
      case 'star-resource':
        return unconstrained(statements).length === 0;
      case 'write':
        return !unconstrained(statements).some((a) => !READ.test(a));
      default:
        return !unconstrained(statements).some((a) => matchesAny(a, category));
    }
  };
}

/** cloudsplaining's categories: [analysis, rule id on aws_iam_role_policy, rule id on aws_iam_policy_document]. */
const IAM_FAMILIES: [Parameters<typeof iamRule>[0], string, string][] = [
  ['full-admin', 'CKV_AWS_62', 'CKV_AWS_1'],
  ['star-action', 'CKV_AWS_63', 'CKV_AWS_49'],
  [PRIVILEGE_ESCALATION, 'CKV_AWS_286', 'CKV_AWS_110'],
  [CREDENTIALS_EXPOSURE, 'CKV_AWS_287', 'CKV_AWS_107'],
  [DATA_EXFILTRATION, 'CKV_AWS_288', 'CKV_AWS_108'],
  [PERMISSIONS_MANAGEMENT, 'CKV_AWS_289', 'CKV_AWS_109'],
  ['write', 'CKV_AWS_290', 'CKV_AWS_111'],
  ['star-resource', 'CKV_AWS_355', 'CKV_AWS_356'],
];

const documentRule = (check: (s: PolicyStatement[] | undefined) => Verdict): Rule => (e, estate) =>
  check(estate.policy(e, `\${${e.address}.json}`));
const rolePolicyRule = (check: (s: PolicyStatement[] | undefined) => Verdict): Rule => (e, estate) =>
  check(estate.policy(e, v(e).policy));

/** No statement of a resource policy lets anyone (`*`) do something without a condition. */
const isPublic = (principal: string) => ['*', '*:*', 'AWS:*'].includes(principal);
const noPublicPrincipal = (statements: PolicyStatement[] | undefined): Verdict =>
  statements === undefined ? undefined : !allows(statements).some((s) => s.principals.some(isPublic) && s.conditions === 0);

/* ---------- helpers per service ---------- */

function bucketFeature(e: Entity, estate: Estate, type: string, ok: (r: Entity) => boolean = () => true): boolean {
  return estate.referrers(e, type).some(ok);
}

function ingressOpen(e: Entity, port: number | 'any'): boolean {
  const rules =
    e.type === 'aws_security_group'
      ? list(v(e).ingress).map((r: any) => ({ cidrs: [...list(r.cidr_blocks), ...list(r.ipv6_cidr_blocks)], from: r.from_port, to: r.to_port, proto: r.protocol }))
      : [{ cidrs: [v(e).cidr_ipv4, v(e).cidr_ipv6].filter(Boolean), from: v(e).from_port, to: v(e).to_port, proto: v(e).ip_protocol }];
  return rules.some((r) => {
    if (!r.cidrs.some((c: string) => WORLD.includes(c))) return false;
    const all = r.proto === '-1' || r.proto === -1 || r.proto === 'all';
    if (port === 'any') return all;
    return all || (Number(r.from) <= port && port <= Number(r.to));
  });
}

function egressOpenToAll(e: Entity): boolean {
  const rules =
    e.type === 'aws_security_group'
      ? list(v(e).egress).map((r: any) => ({ cidrs: [...list(r.cidr_blocks), ...list(r.ipv6_cidr_blocks)], proto: r.protocol }))
      : [{ cidrs: [v(e).cidr_ipv4, v(e).cidr_ipv6].filter(Boolean), proto: v(e).ip_protocol }];
  return rules.some((r) => r.cidrs.some((c: string) => WORLD.includes(c)) && (r.proto === '-1' || r.proto === -1));
}

function metadata(e: Entity): Record<string, any> | undefined {
  return first(v(e).metadata_options);
}

function blockDevicesEncrypted(e: Entity): boolean {
  if (e.type === 'aws_instance') {
    return [first(v(e).root_block_device), ...list(v(e).ebs_block_device)].filter(Boolean).every((d: any) => isTrue(d.encrypted));
  }
  return list(v(e).block_device_mappings).every((m: any) => !first(m.ebs) || isTrue(first(m.ebs)!.encrypted));
}

const TLS12_POLICIES = /TLS13|TLS-1-2|FS-1-2/;
const WEAK_POLICIES = ['ELBSecurityPolicy-2016-08', 'ELBSecurityPolicy-2015-05', 'ELBSecurityPolicy-TLS-1-0-2015-04', 'ELBSecurityPolicy-TLS-1-1-2017-01', 'ELBSecurityPolicy-2015-03', 'ELBSecurityPolicy-2015-02', 'ELBSecurityPolicy-2014-10', 'ELBSecurityPolicy-Default', 'ELBSecurityPolicy-2014-01'];

function redirectsToHttps(listener: Entity): boolean {
  return list(v(listener).default_action).some((a: any) => a.type === 'redirect' && first(a.redirect)?.protocol === 'HTTPS');
}

function parameters(group: Entity): Record<string, string> {
  return Object.fromEntries(list(v(group).parameter).map((p: any) => [p.name, String(p.value)]));
}

const EKS_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];
/** EKS versions in standard or extended support on the checkov commit the catalogue was read from. */
const EKS_SUPPORTED = /^1\.(2[89]|3\d)$/;
const SECRET_IN_TEXT = [/AKIA[0-9A-Z]{16}/, /aws_secret_access_key\s*=\s*\S{20,}/i, /-----BEGIN (RSA |EC |OPENSSH )?PRIVATE KEY-----/, /\bpassword\s*[=:]\s*["']?[A-Za-z0-9!@#$%^&*]{8,}/i];

function userData(e: Entity): string {
  if (typeof v(e).user_data_base64 === 'string') {
    // Gzip-compressed user data is scanned as cloud-init unpacks it.
    const bytes = Buffer.from(v(e).user_data_base64, 'base64');
    return bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
  }
  const raw = v(e).user_data ?? '';
  if (typeof raw !== 'string') return '';
  const inline = /^\$\{base64encode\((.*)\)\}$/s.exec(raw);
  return inline ? inline[1] : raw;
}

/* ---------- the rules ---------- */

export const RULES: Readonly<Record<string, Rule>> = {
  // Load balancers
  CKV_AWS_2: (e) => ['HTTPS', 'TLS', 'TCP', 'UDP', 'TCP_UDP', 'GENEVE'].includes(v(e).protocol) || redirectsToHttps(e),
  CKV_AWS_91: (e) => isTrue(first(v(e).access_logs)?.enabled),
  CKV_AWS_103: (e) => {
    if (e.type === 'aws_lb') return undefined;
    if (v(e).protocol === 'HTTP') return redirectsToHttps(e);
    if (!['HTTPS', 'TLS'].includes(v(e).protocol)) return undefined;
    return TLS12_POLICIES.test(String(v(e).ssl_policy ?? ''));
  },
  CKV_AWS_131: (e) => (v(e).load_balancer_type ?? 'application') !== 'application' ? undefined : isTrue(v(e).drop_invalid_header_fields),
  CKV_AWS_150: (e) => isTrue(v(e).enable_deletion_protection),
  CKV_AWS_152: (e) => ((v(e).load_balancer_type ?? 'application') === 'application' ? undefined : isTrue(v(e).enable_cross_zone_load_balancing)),
  CKV_AWS_261: (e) => (['HTTP', 'HTTPS'].includes(v(e).protocol) ? isTrue(first(v(e).health_check)?.enabled ?? true) && isSet(first(v(e).health_check)?.path) : undefined),
  CKV_AWS_328: (e) => v(e).desync_mitigation_mode !== 'monitor',
  CKV_AWS_378: (e) => v(e).protocol !== 'HTTP' || (e.type === 'aws_lb_listener' && redirectsToHttps(e)),
  CKV2_AWS_20: (e, estate) => {
    if (e.type === 'aws_lb_listener') return v(e).protocol !== 'HTTP' || redirectsToHttps(e);
    const listeners = estate.referrers(e, 'aws_lb_listener');
    return listeners.every((l) => v(l).protocol !== 'HTTP' || redirectsToHttps(l));
  },
  CKV2_AWS_28: (e, estate) =>
    isTrue(v(e).internal) || (v(e).load_balancer_type ?? 'application') !== 'application' ? undefined : estate.referrers(e, 'aws_wafv2_web_acl_association').length > 0,
  CKV2_AWS_74: (e) => !['HTTPS', 'TLS'].includes(v(e).protocol) ? (v(e).protocol === 'HTTP' ? redirectsToHttps(e) : undefined) : isSet(v(e).ssl_policy) && !WEAK_POLICIES.includes(v(e).ssl_policy),
  CKV2_AWS_76: (e, estate) => {
    if (e.type !== 'aws_lb') return undefined;
    const acls = estate.referrers(e, 'aws_wafv2_web_acl_association').flatMap((a) => estate.referenced(a, 'aws_wafv2_web_acl'));
    if (!acls.length) return false;
    return acls.every((acl) => acl.text.includes('AWSManagedRulesKnownBadInputsRuleSet') && acl.text.includes('AWSManagedRulesAnonymousIpList'));
  },

  // WAF
  CKV_AWS_175: (e) => isSet(v(e).rule) || isSet(v(e).rule_json),
  CKV_AWS_192: (e) =>
    list(v(e).rule).some((r: any) => {
      const group = first(first(r.statement)?.managed_rule_group_statement);
      if (group?.name !== 'AWSManagedRulesKnownBadInputsRuleSet') return false;
      const excludesLog4j = [...list(group.excluded_rule), ...list(group.rule_action_override)].some((x: any) => x.name === 'Log4JRCE');
      return !excludesLog4j && isSet(first(r.override_action)?.none);
    }),
  CKV_AWS_342: (e) =>
    list(v(e).rule).every((r: any) => isSet(r.action) || isSet(r.override_action) || isSet(first(r.statement)?.managed_rule_group_statement)),
  CKV2_AWS_31: (e, estate) => estate.referrers(e, 'aws_wafv2_web_acl_logging_configuration').length > 0,
  CKV2_AWS_47: () => undefined, // CloudFront distributions; the estate has none.
  CKV2_AWS_77: () => undefined, // API Gateway stages; the estate has none.
  CKV2_AWS_78: () => undefined, // AppSync APIs; the estate has none.

  // ACM
  CKV_AWS_233: (e) => isTrue(v(e).lifecycle?.create_before_destroy),
  CKV_AWS_234: (e) => (first(v(e).options)?.certificate_transparency_logging_preference ?? 'ENABLED') === 'ENABLED',
  CKV2_AWS_71: (e) => !String(v(e).domain_name ?? '').startsWith('*'),

  // EBS, EC2, Auto Scaling
  CKV_AWS_3: (e) => isTrue(v(e).encrypted),
  CKV_AWS_189: (e) => isSet(v(e).kms_key_id),
  CKV2_AWS_2: (e, estate) => {
    if (e.type === 'aws_ebs_volume') return isTrue(v(e).encrypted);
    return estate.referenced(e, 'aws_ebs_volume').every((vol) => isTrue(v(vol).encrypted));
  },
  CKV_AWS_8: (e) => blockDevicesEncrypted(e),
  CKV_AWS_46: (e) => !SECRET_IN_TEXT.some((re) => re.test(userData(e))),
  CKV_AWS_79: (e) => metadata(e)?.http_tokens === 'required' || metadata(e)?.http_endpoint === 'disabled',
  CKV_AWS_88: (e) =>
    e.type === 'aws_instance'
      ? !isTrue(v(e).associate_public_ip_address)
      : !list(v(e).network_interfaces).some((n: any) => isTrue(n.associate_public_ip_address)),
  CKV_AWS_126: (e) => isTrue(v(e).monitoring),
  CKV_AWS_135: (e) => isTrue(v(e).ebs_optimized),
  CKV_AWS_341: (e) => Number(metadata(e)?.http_put_response_hop_limit ?? 1) <= 1,
  CKV2_AWS_41: (e) => isSet(v(e).iam_instance_profile),
  CKV_AWS_153: (e) => !isSet(v(e).launch_configuration) || isSet(v(e).tag),
  CKV_AWS_315: (e) => isSet(v(e).launch_template) || isSet(v(e).mixed_instances_policy),
  CKV2_AWS_15: (e, estate) => {
    if (e.type !== 'aws_autoscaling_group') return undefined;
    const attached = isSet(v(e).target_group_arns) || isSet(v(e).load_balancers) || estate.referrers(e, 'aws_autoscaling_attachment').length > 0;
    return !attached || v(e).health_check_type === 'ELB';
  },
  CKV2_AWS_19: (e, estate) => (v(e).domain === 'vpc' || isTrue(v(e).vpc) ? estate.connected(e, ['aws_instance', 'aws_nat_gateway', 'aws_eip_association']) : undefined),

  // VPC
  CKV_AWS_130: (e) => !isTrue(v(e).map_public_ip_on_launch),
  CKV2_AWS_1: () => undefined, // checkov evaluates aws_network_acl resources; the estate declares none.
  CKV2_AWS_11: (e, estate) => estate.referrers(e, 'aws_flow_log').length > 0,
  CKV2_AWS_12: (e, estate) => {
    const defaults = e.type === 'aws_default_security_group' ? [e] : estate.referrers(e, 'aws_default_security_group');
    return defaults.length > 0 && defaults.every((d) => !isSet(v(d).ingress) && !isSet(v(d).egress));
  },
  CKV2_AWS_35: (e) =>
    e.type === 'aws_route'
      ? !(v(e).destination_cidr_block === '0.0.0.0/0' && isSet(v(e).instance_id))
      : !list(v(e).route).some((r: any) => r.cidr_block === '0.0.0.0/0' && isSet(r.instance_id)),
  CKV2_AWS_44: (e) =>
    e.type === 'aws_route'
      ? !(WORLD.includes(v(e).destination_cidr_block) && isSet(v(e).vpc_peering_connection_id))
      : !list(v(e).route).some((r: any) => WORLD.includes(r.cidr_block) && isSet(r.vpc_peering_connection_id)),

  // Security groups
  CKV_AWS_23: (e) =>
    e.type === 'aws_security_group'
      ? isSet(v(e).description) && [...list(v(e).ingress), ...list(v(e).egress)].every((r: any) => isSet(r.description))
      : isSet(v(e).description),
  CKV_AWS_24: (e) => !ingressOpen(e, 22),
  CKV_AWS_25: (e) => !ingressOpen(e, 3389),
  CKV_AWS_260: (e) => !ingressOpen(e, 80),
  CKV_AWS_277: (e) => !ingressOpen(e, 'any'),
  CKV_AWS_382: (e) => !egressOpenToAll(e),
  CKV2_AWS_5: (e, estate) =>
    estate.entities.some(
      (r) => r.stack === e.stack && r.block === 'resource' && r !== e && r.text.includes(`\${${e.address}.id}`) &&
        !['aws_vpc_security_group_ingress_rule', 'aws_vpc_security_group_egress_rule', 'aws_security_group_rule'].includes(r.type),
    ),
  CKV2_AWS_7: () => undefined, // EMR clusters' groups; the estate runs no EMR.

  // S3
  CKV_AWS_18: (e, estate) => bucketFeature(e, estate, 'aws_s3_bucket_logging') || isSet(v(e).logging),
  CKV_AWS_19: (e, estate) => (e.type === 'aws_s3_bucket' ? bucketFeature(e, estate, 'aws_s3_bucket_server_side_encryption_configuration') : true),
  CKV_AWS_145: (e, estate) => {
    const configs = e.type === 'aws_s3_bucket' ? estate.referrers(e, 'aws_s3_bucket_server_side_encryption_configuration') : [e];
    return configs.length > 0 && configs.every((c) => list(v(c).rule).every((r: any) => /^aws:kms/.test(first(r.apply_server_side_encryption_by_default)?.sse_algorithm ?? '')));
  },
  CKV_AWS_20: (e) => !['public-read', 'public-read-write'].includes(v(e).acl),
  CKV_AWS_57: (e) => v(e).acl !== 'public-read-write',
  CKV_AWS_21: (e, estate) =>
    e.type === 'aws_s3_bucket'
      ? bucketFeature(e, estate, 'aws_s3_bucket_versioning', (r) => first(v(r).versioning_configuration)?.status === 'Enabled')
      : first(v(e).versioning_configuration)?.status === 'Enabled',
  CKV_AWS_53: (e) => isTrue(v(e).block_public_acls),
  CKV_AWS_54: (e) => isTrue(v(e).block_public_policy),
  CKV_AWS_55: (e) => isTrue(v(e).ignore_public_acls),
  CKV_AWS_56: (e) => isTrue(v(e).restrict_public_buckets),
  CKV_AWS_70: (e, estate) => (e.type === 'aws_s3_bucket_policy' ? noPublicPrincipal(estate.policy(e, v(e).policy)) : undefined),
  CKV_AWS_93: (e, estate) => {
    if (e.type !== 'aws_s3_bucket_policy') return undefined;
    const statements = estate.policy(e, v(e).policy);
    return !(statements ?? []).some((s) => s.effect === 'Deny' && s.principals.some(isPublic) && s.actions.some((a) => a === 's3:*' || a === '*') && s.conditions === 0);
  },
  CKV_AWS_143: (e, estate) =>
    first(v(e).object_lock_configuration)?.object_lock_enabled === 'Enabled' || isTrue(v(e).object_lock_enabled) || bucketFeature(e, estate, 'aws_s3_bucket_object_lock_configuration'),
  CKV_AWS_144: (e, estate) => (e.type === 'aws_s3_bucket' ? replicatedBuckets(estate).has(String(v(e).bucket)) : true),
  CKV_AWS_300: (e) => list(v(e).rule).some((r: any) => isSet(r.abort_incomplete_multipart_upload)),
  CKV_AWS_379: (e, estate) => {
    if (e.type !== 'aws_s3_bucket_policy') return undefined;
    return (estate.policy(e, v(e).policy) ?? []).some((s) => s.effect === 'Deny' && s.conditions > 0) && /aws:SecureTransport/.test(policyText(e, estate));
  },
  CKV2_AWS_6: (e, estate) => (e.type === 'aws_s3_bucket' ? bucketFeature(e, estate, 'aws_s3_bucket_public_access_block') : true),
  CKV2_AWS_61: (e, estate) => bucketFeature(e, estate, 'aws_s3_bucket_lifecycle_configuration'),
  CKV2_AWS_62: (e, estate) => bucketFeature(e, estate, 'aws_s3_bucket_notification'),
  CKV2_AWS_65: (e) => first(v(e).rule)?.object_ownership === 'BucketOwnerEnforced',

  // DynamoDB
  CKV_AWS_28: (e) => isTrue(first(v(e).point_in_time_recovery)?.enabled),
  CKV_AWS_119: (e) => isTrue(first(v(e).server_side_encryption)?.enabled) && isSet(first(v(e).server_side_encryption)?.kms_key_arn),
  CKV2_AWS_16: (e, estate) => v(e).billing_mode === 'PAY_PER_REQUEST' || estate.referrers(e, 'aws_appautoscaling_target').length > 0,

  // KMS
  CKV_AWS_7: (e) => (v(e).customer_master_key_spec ?? 'SYMMETRIC_DEFAULT') !== 'SYMMETRIC_DEFAULT' || isTrue(v(e).enable_key_rotation),
  CKV_AWS_33: (e, estate) => (isSet(v(e).policy) ? noPublicPrincipal(estate.policy(e, v(e).policy)) : true),
  CKV_AWS_227: (e) => v(e).is_enabled !== false,
  CKV2_AWS_64: (e) => isSet(v(e).policy),

  // CloudWatch
  CKV_AWS_66: (e) => isSet(v(e).retention_in_days),
  CKV_AWS_338: (e) => Number(v(e).retention_in_days ?? 0) === 0 ? !isSet(v(e).retention_in_days) : Number(v(e).retention_in_days) >= 365,
  CKV_AWS_158: (e) => isSet(v(e).kms_key_id),
  CKV_AWS_319: (e) => v(e).actions_enabled !== false,

  // SNS, Secrets Manager, SSM
  CKV_AWS_26: (e) => isSet(v(e).kms_master_key_id),
  CKV_AWS_149: (e) => isSet(v(e).kms_key_id),
  // SSM parameters: a CMK named (key_id), the SecureString type, no data.http anywhere.
  CKV_AWS_337: (e) => isSet(v(e).key_id),
  CKV2_AWS_34: (e) => v(e).type === 'SecureString',
  CKV2_AWS_36: (_e, estate) => !estate.entities.some((other) => other.address.startsWith('data.http.')),
  CKV2_AWS_57: (e, estate) => estate.referrers(e, 'aws_secretsmanager_secret_rotation').length > 0,

  // RDS
  CKV_AWS_16: (e) => isTrue(v(e).storage_encrypted),
  CKV_AWS_17: (e) => !isTrue(v(e).publicly_accessible),
  CKV_AWS_118: (e) => [1, 5, 10, 15, 30, 60].includes(Number(v(e).monitoring_interval)),
  CKV_AWS_129: (e) => isSet(v(e).enabled_cloudwatch_logs_exports),
  CKV_AWS_133: (e) => (v(e).backup_retention_period === undefined ? true : Number(v(e).backup_retention_period) > 0 && Number(v(e).backup_retention_period) <= 35),
  CKV_AWS_157: (e) => isTrue(v(e).multi_az),
  CKV_AWS_161: (e) => (['mysql', 'postgres'].includes(v(e).engine) ? isTrue(v(e).iam_database_authentication_enabled) : undefined),
  CKV_AWS_211: (e) => v(e).ca_cert_identifier === undefined || ['rds-ca-rsa2048-g1', 'rds-ca-rsa4096-g1', 'rds-ca-ecc384-g1'].includes(v(e).ca_cert_identifier),
  CKV_AWS_226: (e) => isTrue(v(e).auto_minor_version_upgrade ?? true),
  CKV_AWS_250: (e) => !(v(e).engine === 'postgres' && /^(10\.(1[0-7]|[0-9])|11\.([0-9]|1[0-2])|12\.[0-7]|13\.[0-3])$/.test(String(v(e).engine_version))),
  CKV_AWS_293: (e) => isTrue(v(e).deletion_protection),
  // checkov skips MySQL and MariaDB on the small burstable classes, where RDS has no Performance Insights.
  CKV_AWS_353: (e) =>
    ['mysql', 'mariadb'].includes(v(e).engine) && /^db\.(t2|t3|t4g)\.(micro|small)$/.test(String(v(e).instance_class))
      ? undefined
      : isTrue(v(e).performance_insights_enabled),
  CKV_AWS_354: (e) => (isTrue(v(e).performance_insights_enabled) ? isSet(v(e).performance_insights_kms_key_id) : undefined),
  CKV_AWS_388: (e) => (v(e).engine === 'aurora-postgresql' ? undefined : true),
  CKV2_AWS_30: (e, estate) => {
    if (e.type !== 'aws_db_instance' || !String(v(e).engine ?? 'postgres').startsWith('postgres')) return undefined;
    const groups = estate.referenced(e, 'aws_db_parameter_group');
    return groups.some((g) => 'log_statement' in parameters(g) && 'log_min_duration_statement' in parameters(g));
  },
  CKV2_AWS_60: (e) => isTrue(v(e).copy_tags_to_snapshot),
  CKV2_AWS_69: (e, estate) => {
    if (e.type !== 'aws_db_instance') return undefined;
    const groups = estate.referenced(e, 'aws_db_parameter_group');
    if (!groups.length) return !String(v(e).engine ?? 'postgres').startsWith('postgres') ? undefined : false;
    return groups.every((g) => (/^postgres/.test(v(g).family) ? parameters(g)['rds.force_ssl'] === '1' : /^(mysql|mariadb)/.test(v(g).family) ? parameters(g).require_secure_transport === '1' : true));
  },

  // EKS
  CKV_AWS_37: (e) => EKS_LOG_TYPES.every((t) => list(v(e).enabled_cluster_log_types).includes(t)),
  CKV_AWS_38: (e) => {
    const cfg = first(v(e).vpc_config) ?? {};
    if (cfg.endpoint_public_access === false) return true;
    return isSet(cfg.public_access_cidrs) && !list(cfg.public_access_cidrs).some((c: string) => WORLD.includes(c));
  },
  CKV_AWS_39: (e) => first(v(e).vpc_config)?.endpoint_public_access === false,
  CKV_AWS_58: (e) => list(v(e).encryption_config).some((c: any) => list(c.resources).includes('secrets')),
  CKV_AWS_339: (e) => EKS_SUPPORTED.test(String(v(e).version)),
  CKV_AWS_100: (e) => {
    const access = first(v(e).remote_access);
    return !access || !isSet(access.ec2_ssh_key) || isSet(access.source_security_group_ids);
  },

  // IAM roles and policies
  CKV_AWS_60: (e, estate) => !allows(estate.policy(e, v(e).assume_role_policy)).some((s) => s.principals.some(isPublic)),
  CKV_AWS_61: (e, estate) => !allows(estate.policy(e, v(e).assume_role_policy)).some((s) => s.principals.some((p) => isPublic(p) || p === 'Service:*')),
  CKV_AWS_274: (e) =>
    !(e.type === 'aws_iam_role' ? list(v(e).managed_policy_arns) : [v(e).policy_arn]).some((arn: string) => /:policy\/AdministratorAccess$/.test(String(arn))),
  CKV2_AWS_56: (e) =>
    !(e.type === 'aws_iam_role' ? list(v(e).managed_policy_arns) : [v(e).policy_arn]).some((arn: string) => /:policy\/IAMFullAccess$/.test(String(arn))),
  CKV_AWS_393: (e) => !/token\.actions\.githubusercontent\.com/.test(e.text) || /token\.actions\.githubusercontent\.com:sub/.test(e.text),
  CKV_AWS_358: (e) => !/token\.actions\.githubusercontent\.com/.test(e.text) || /token\.actions\.githubusercontent\.com:sub/.test(e.text),
  CKV2_AWS_68: () => undefined, // SageMaker notebook roles; the estate runs no SageMaker.
  CKV2_AWS_40: rolePolicyRule((s) => (s ? !allows(s).some((st) => st.actions.some((a) => a === 'iam:*' || a === '*')) : undefined)),
  // The same analysis on inline role policies and on policy documents.
  ...Object.fromEntries(
    IAM_FAMILIES.flatMap(([family, onRolePolicy, onDocument]) => [
      [onRolePolicy, rolePolicyRule(iamRule(family))],
      [onDocument, documentRule(iamRule(family))],
    ]),
  ),
  CKV_AWS_283: documentRule(noPublicPrincipal),
  CKV_AWS_356: documentRule(iamRule('star-resource')),

  // Provider
  CKV_AWS_41: (e) => !isSet(v(e).access_key) && !isSet(v(e).secret_key),

  // Route 53
  CKV2_AWS_23: (e) => (v(e).type === 'A' ? isSet(v(e).alias) || isSet(v(e).records) : undefined),
  CKV2_AWS_38: (e, estate) => estate.referrers(e, 'aws_route53_hosted_zone_dnssec').length > 0,
  CKV2_AWS_39: (e, estate) => estate.referrers(e, 'aws_route53_query_log').length > 0,
};

/** Names of buckets that some replication rule of the estate replicates from. */
function replicatedBuckets(estate: Estate): Set<string> {
  const names = new Set<string>();
  for (const e of estate.entities) {
    if (e.type !== 'aws_s3_bucket_replication_configuration' || e.block !== 'resource') continue;
    const bucket = String(v(e).bucket);
    const ref = /^\$\{aws_s3_bucket\.([\w-]+)\.id\}$/.exec(bucket);
    if (ref) {
      const target = estate.resources(e.stack, 'aws_s3_bucket').find((b) => b.name === ref[1]);
      if (target) names.add(String(v(target).bucket));
    } else {
      names.add(bucket);
    }
  }
  return names;
}

function policyText(e: Entity, estate: Estate): string {
  const ref = /^\$\{data\.aws_iam_policy_document\.([\w-]+)\.json\}$/.exec(String(v(e).policy));
  if (!ref) return String(v(e).policy);
  return estate.entities.find((d) => d.stack === e.stack && d.block === 'data' && d.name === ref[1])?.text ?? '';
}
