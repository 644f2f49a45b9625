import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { Wafv2WebAcl } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclAssociation } from '@cdktf/provider-aws/lib/wafv2-web-acl-association';
import { Wafv2WebAclLoggingConfiguration } from '@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration';
import { Construct } from 'constructs';

/** Props of {@link WebFirewall}. */
export interface WebFirewallProps {
  /** Prefix of the web ACL, metric and log group names, unique per account and region. */
  readonly name: string;
  /** ARN of the regional resource protected (the public load balancer). */
  readonly resourceArn: string;
  /** ARN of the region's log key: the WAF log group is encrypted with it. */
  readonly logsKeyArn: string;
  /**
   * Days the WAF log group keeps its events.
   * @default 365
   */
  readonly logRetentionDays?: number;
  /**
   * Requests one client IP may send in any 5-minute window before it is blocked.
   * @default 2000
   */
  readonly rateLimitPer5Minutes?: number;
}

/**
 * AWS managed rule groups a web ACL runs, in order, and rules of a group only counted
 * (logged, not blocked).
 */
export const MANAGED_RULE_GROUPS: readonly { readonly name: string; readonly countOnly?: readonly string[] }[] = [
  // Reputation first: known bad sources are dropped before any inspection.
  { name: 'AWSManagedRulesAmazonIpReputationList' },
  // Anonymizers (VPN, Tor, proxies) are blocked; cloud hosting providers only counted: Route 53
  // health checkers, which decide the DR failover, come from AWS's own address ranges.
  { name: 'AWSManagedRulesAnonymousIpList', countOnly: ['HostingProviderIPList'] },
  // The OWASP-style core set.
  { name: 'AWSManagedRulesCommonRuleSet' },
  // Known bad inputs, Log4j (CVE-2021-44228) lookups among them.
  { name: 'AWSManagedRulesKnownBadInputsRuleSet' },
];

/**
 * A regional AWS WAF web ACL in front of the public load balancer: AWS managed rule groups
 * and a per-IP rate limit, every request sampled and logged to an encrypted log group.
 */
export class WebFirewall extends Construct {
  readonly webAcl: Wafv2WebAcl;

  constructor(scope: Construct, id: string, props: WebFirewallProps) {
    super(scope, id);
    const rateLimit = props.rateLimitPer5Minutes ?? 2000;
    if (!Number.isInteger(rateLimit) || rateLimit < 10 || rateLimit > 2_000_000_000) {
      throw new Error(`WebFirewall ${id}: rateLimitPer5Minutes is ${rateLimit}, expected a whole number from 10 to 2000000000 (WAF's limits).`);
    }
    const visibility = (metric: string) => ({
      cloudwatchMetricsEnabled: true,
      metricName: `${props.name}-${metric}`,
      sampledRequestsEnabled: true,
    });
    // `statement` is untyped in the binding (WAF statements nest arbitrarily): it is written
    // as Terraform reads it, in snake_case.
    const managed = MANAGED_RULE_GROUPS.map((group, i) => ({
      name: group.name,
      priority: (i + 1) * 10,
      overrideAction: { none: {} },
      statement: {
        managed_rule_group_statement: {
          name: group.name,
          vendor_name: 'AWS',
          ...(group.countOnly
            ? { rule_action_override: group.countOnly.map((rule) => ({ name: rule, action_to_use: { count: {} } })) }
            : {}),
        },
      },
      visibilityConfig: visibility(group.name),
    }));
    this.webAcl = new Wafv2WebAcl(this, 'web-acl', {
      name: `${props.name}-app`,
      description: 'Public load balancer: AWS managed rules and a per-IP rate limit',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      rule: [
        ...managed,
        {
          name: 'rate-limit-per-ip',
          priority: (managed.length + 1) * 10,
          action: { block: {} },
          statement: { rate_based_statement: { limit: rateLimit, aggregate_key_type: 'IP' } },
          visibilityConfig: visibility('rate-limit'),
        },
      ],
      visibilityConfig: visibility('app'),
    });
    new Wafv2WebAclAssociation(this, 'association', { resourceArn: props.resourceArn, webAclArn: this.webAcl.arn });
    // WAF only logs to groups named aws-waf-logs-*.
    const logs = new CloudwatchLogGroup(this, 'logs', {
      name: `aws-waf-logs-${props.name}`,
      retentionInDays: props.logRetentionDays ?? 365,
      kmsKeyId: props.logsKeyArn,
    });
    new Wafv2WebAclLoggingConfiguration(this, 'logging', {
      resourceArn: this.webAcl.arn,
      logDestinationConfigs: [logs.arn],
    });
  }
}
