import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { fitName } from '../../config/naming';
import { allowMetricsScrape } from '../metrics-access';
import { appCertificate } from './certificate';
import { validateCapacity, type AppTierProps } from './props';
import { appLaunchTemplate } from './servers';

export * from './props';

/**
 * The app tier of one region: an internet-facing ALB (80/443 only) in front of an Auto
 * Scaling group of app servers in the private subnets. Servers take the current AL2023 AMI,
 * require IMDSv2, boot from an encrypted gp3 volume, have no key pair and are reached with SSM.
 */
export class AppTier extends Construct {
  /** The load balancer. */
  readonly loadBalancer: Lb;
  /** DNS name of the load balancer (target of the failover alias records). */
  readonly albDnsName: string;
  /** Hosted zone id of the load balancer (for alias records). */
  readonly albZoneId: string;
  /** The Auto Scaling group. */
  readonly autoScalingGroup: AutoscalingGroup;
  /** Name of the Auto Scaling group. */
  readonly asgName: string;
  /** Security group of the app servers (monitoring adds its scrape rule here). */
  readonly instanceSecurityGroup: SecurityGroup;
  /** Security group of the load balancer. */
  readonly loadBalancerSecurityGroup: SecurityGroup;
  /** The target group the servers register in. */
  readonly targetGroup: LbTargetGroup;
  /** Listener protocol the load balancer serves clients on. */
  readonly protocol: 'HTTP' | 'HTTPS';
  /** Port the app listens on. */
  readonly appPort: number;
  /** Tags every app server carries (Prometheus discovers servers by them). */
  readonly instanceTags: Readonly<Record<string, string>>;
  /** Output carrying {@link albDnsName}, for stacks that read this one's state. */
  readonly albDnsNameOutput: TerraformOutput;
  /** Output carrying {@link albZoneId}. */
  readonly albZoneIdOutput: TerraformOutput;
  /** Path the load balancer health-checks (also right for a DNS health check). */
  readonly healthCheckPath: string;

  constructor(scope: Construct, id: string, props: AppTierProps) {
    super(scope, id);
    validateCapacity(id, props.capacity);
    const appPort = props.appPort;
    const healthCheckPath = props.healthCheckPath;
    this.healthCheckPath = healthCheckPath;
    this.appPort = appPort;
    this.protocol = props.tls ? 'HTTPS' : 'HTTP';
    const vpcId = props.network.vpc.id;
    const tag = (suffix: string) => ({ Name: `${props.name}-${suffix}` });

    // --- security groups: the world reaches the ALB on 80/443 only; the ALB reaches the app ---
    this.loadBalancerSecurityGroup = new SecurityGroup(this, 'alb-sg', {
      name: `${props.name}-alb`,
      description: 'App load balancer: HTTP and HTTPS from anywhere',
      vpcId,
      tags: tag('alb'),
    });
    this.instanceSecurityGroup = new SecurityGroup(this, 'instance-sg', {
      name: `${props.name}-app`,
      description: 'App servers: the app port from the load balancer only',
      vpcId,
      tags: tag('app'),
    });
    for (const port of [80, 443]) {
      new VpcSecurityGroupIngressRule(this, `alb-in-${port}`, {
        securityGroupId: this.loadBalancerSecurityGroup.id,
        description: `Clients on ${port}`,
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        cidrIpv4: '0.0.0.0/0',
      });
    }
    new VpcSecurityGroupEgressRule(this, 'alb-out-app', {
      securityGroupId: this.loadBalancerSecurityGroup.id,
      description: 'Requests and health checks to the app servers',
      ipProtocol: 'tcp',
      fromPort: appPort,
      toPort: appPort,
      referencedSecurityGroupId: this.instanceSecurityGroup.id,
    });
    new VpcSecurityGroupIngressRule(this, 'app-in-alb', {
      securityGroupId: this.instanceSecurityGroup.id,
      description: 'The app port from the load balancer',
      ipProtocol: 'tcp',
      fromPort: appPort,
      toPort: appPort,
      referencedSecurityGroupId: this.loadBalancerSecurityGroup.id,
    });
    new VpcSecurityGroupEgressRule(this, 'app-out-https', {
      securityGroupId: this.instanceSecurityGroup.id,
      description: 'HTTPS out (SSM, package and release downloads) through NAT',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      cidrIpv4: '0.0.0.0/0',
    });

    // --- load balancer, target group and listeners ---
    this.loadBalancer = new Lb(this, 'alb', {
      name: fitName(`${props.name}-app`, 32),
      loadBalancerType: 'application',
      internal: false,
      securityGroups: [this.loadBalancerSecurityGroup.id],
      subnets: props.network.publicSubnets.map((s) => s.id),
      dropInvalidHeaderFields: true,
      enableDeletionProtection: props.deletionProtection ?? true,
      accessLogs: { bucket: props.accessLogs.bucket, prefix: props.accessLogs.prefix, enabled: true },
      tags: tag('alb'),
    });
    this.albDnsName = this.loadBalancer.dnsName;
    this.albZoneId = this.loadBalancer.zoneId;

    this.targetGroup = new LbTargetGroup(this, 'targets', {
      name: fitName(`${props.name}-app`, 32),
      port: appPort,
      protocol: 'HTTP',
      targetType: 'instance',
      vpcId,
      deregistrationDelay: '30',
      healthCheck: {
        enabled: true,
        path: healthCheckPath,
        protocol: 'HTTP',
        port: 'traffic-port',
        matcher: '200',
        interval: 15,
        timeout: 5,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
      },
      tags: tag('app'),
    });
    const forward = [{ type: 'forward', targetGroupArn: this.targetGroup.arn }];
    if (props.tls) {
      const certificateArn = appCertificate(this, props.tls, tag);
      new LbListener(this, 'https', {
        loadBalancerArn: this.loadBalancer.arn,
        port: 443,
        protocol: 'HTTPS',
        sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
        certificateArn,
        defaultAction: forward,
      });
      new LbListener(this, 'http', {
        loadBalancerArn: this.loadBalancer.arn,
        port: 80,
        protocol: 'HTTP',
        defaultAction: [
          { type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } },
        ],
      });
    } else {
      new LbListener(this, 'http', {
        loadBalancerArn: this.loadBalancer.arn,
        port: 80,
        protocol: 'HTTP',
        defaultAction: forward,
      });
    }

    // --- servers ---
    this.instanceTags = { ...props.launchTags, ...tag('app'), Tier: 'app', AppTier: props.name };
    const launchTemplate = appLaunchTemplate(this, props, {
      appPort,
      healthCheckPath,
      securityGroupId: this.instanceSecurityGroup.id,
      instanceTags: this.instanceTags,
      tags: tag('app'),
    });

    this.autoScalingGroup = new AutoscalingGroup(this, 'asg', {
      name: `${props.name}-app`,
      minSize: props.capacity.min,
      desiredCapacity: props.capacity.desired,
      maxSize: props.capacity.max,
      vpcZoneIdentifier: props.network.privateSubnets.map((s) => s.id),
      targetGroupArns: [this.targetGroup.arn],
      healthCheckType: 'ELB',
      healthCheckGracePeriod: 180,
      defaultInstanceWarmup: 120,
      launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.toString() },
      instanceRefresh: { strategy: 'Rolling', preferences: { minHealthyPercentage: 50 } },
      enabledMetrics: ['GroupDesiredCapacity', 'GroupInServiceInstances', 'GroupTotalInstances'],
      tag: [{ key: 'Name', value: `${props.name}-app`, propagateAtLaunch: true }],
    });
    this.asgName = this.autoScalingGroup.name;

    this.albDnsNameOutput = new TerraformOutput(this, 'alb-dns-name', {
      value: this.albDnsName,
      description: 'DNS name of the app load balancer.',
    });
    this.albZoneIdOutput = new TerraformOutput(this, 'alb-zone-id', {
      value: this.albZoneId,
      description: 'Route 53 zone id of the app load balancer, for alias records.',
    });
    new TerraformOutput(this, 'asg-name', {
      value: this.asgName,
      description: 'Name of the app Auto Scaling group.',
    });
  }

  /**
   * Lets a security group (the monitoring nodes) scrape node_exporter and the app's /metrics
   * on the app servers.
   * @param id construct id of the node_exporter rule (the app port's is `<id>-app`), unique within this app tier
   */
  allowMetricsScrapeFrom(id: string, sourceSecurityGroupId: string, description: string): void {
    allowMetricsScrape(this, id, this.instanceSecurityGroup.id, sourceSecurityGroupId, description);
    // The app's own /metrics, on the app port.
    allowMetricsScrape(this, `${id}-app`, this.instanceSecurityGroup.id, sourceSecurityGroupId, "the app's /metrics scraped by Prometheus on the EKS nodes", this.appPort);
  }

}
