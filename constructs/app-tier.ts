import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { AcmCertificateValidation } from '@cdktf/provider-aws/lib/acm-certificate-validation';
import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Fn, TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { allowMetricsScrape } from './metrics-access';
import { fitName } from '../config/naming';
import type { Network } from './network';
import type { BucketLocation } from './secure-bucket';
import { appUserData, ARTIFACTS_PREFIX, type AppDatabase } from './user-data';
import { useKeyByAlias } from './encryption-key';
import { serviceTrust } from './trust';
import { IMDS_V2_ONLY } from './imds';
import { CONFIG_DEFAULTS } from '../config/schema';

/** Auto Scaling sizes of the app tier. */
export interface AppCapacity {
  /** Minimum instances. */
  readonly min: number;
  /** Desired instances. */
  readonly desired: number;
  /** Maximum instances. */
  readonly max: number;
}

/** The TLS name the load balancer answers on. */
export interface AppTls {
  /** Name clients use, covered by the certificate (`app.<zone>`). */
  readonly domainName: string;
  /** Hosted zone the certificate is DNS-validated in. */
  readonly hostedZoneId: string;
  /**
   * Whether this construct writes the DNS validation record. ACM gives every certificate for a
   * name in one account the same validation record, whatever its region, so exactly one of the
   * regions' app tiers owns it; the others only wait for it.
   * @default true
   */
  readonly ownsValidationRecord?: boolean;
}

/** Props of {@link AppTier}. */
export interface AppTierProps {
  /** Prefix of names and `Name` tags, unique per account and region. */
  readonly name: string;
  /** Region, reported by the app. */
  readonly region: string;
  /** The region's network: ALB in the public subnets, instances in the private ones. */
  readonly network: Network;
  /** Auto Scaling sizes (from the region's DR posture). */
  readonly capacity: AppCapacity;
  /**
   * EC2 instance type.
   * @default - `CONFIG_DEFAULTS.appTier.instanceType` (the config field's default, config/schema)
   */
  readonly instanceType?: string;
  /**
   * Port the app listens on.
   * @default - `CONFIG_DEFAULTS.appTier.appPort` (the config field's default, config/schema)
   */
  readonly appPort?: number;
  /**
   * Path the target group health check requests; the app answers it.
   * @default - `CONFIG_DEFAULTS.appTier.healthCheckPath` (the config field's default, config/schema)
   */
  readonly healthCheckPath?: string;
  /**
   * HTTPS with a DNS-validated ACM certificate, HTTP redirecting to it.
   * @default - plain HTTP on port 80
   */
  readonly tls?: AppTls;
  /**
   * Load balancer deletion protection.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * The region's bucket the app servers take node_exporter from (`artifacts/`, through the
   * VPC's S3 endpoint): nothing on the boot path needs the internet.
   */
  readonly artifactBucket: BucketLocation;
  /**
   * The region's database the app stores its rows in, and the account it is in (for the ARNs
   * the app servers may read: the instance's endpoint, the credentials secret).
   */
  readonly database: AppDatabase & { readonly accountId: string };
  /** The region's access log bucket and the key prefix the load balancer logs under. */
  readonly accessLogs: { readonly bucket: string; readonly prefix: string };
  /**
   * Alias of the region's storage key: the boot artifacts and the database secret are
   * encrypted with it, so the app servers may decrypt with it (through S3 and Secrets
   * Manager only).
   */
  readonly storageKeyAlias: string;
  /**
   * Tags for what is launched outside Terraform (instances and volumes an Auto Scaling group
   * starts): the provider's default_tags do not reach them.
   * @default - none
   */
  readonly launchTags?: Readonly<Record<string, string>>;
}

/** Public parameter naming the current Amazon Linux 2023 AMI (resolved by EC2 at launch). */
export const AL2023_AMI_PARAMETER = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64';

const SSM_CORE_POLICY = 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore';

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
    const appPort = props.appPort ?? CONFIG_DEFAULTS.appTier.appPort;
    const healthCheckPath = props.healthCheckPath ?? CONFIG_DEFAULTS.appTier.healthCheckPath;
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
      const certificateArn = this.addCertificate(props.tls, tag);
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
    const role = new IamRole(this, 'instance-role', {
      name: fitName(`${props.name}-app`, 64),
      assumeRolePolicy: serviceTrust(this, 'instance-assume', 'ec2.amazonaws.com'),
    });
    new IamRolePolicyAttachment(this, 'instance-ssm', { role: role.name, policyArn: SSM_CORE_POLICY });
    // What the app servers read at run time: boot artifacts, their database's endpoint, its credentials.
    const runtime = new DataAwsIamPolicyDocument(this, 'instance-runtime', {
      statement: [
        {
          sid: 'ReadBootArtifacts',
          actions: ['s3:GetObject'],
          resources: [`${props.artifactBucket.bucketArn}/${ARTIFACTS_PREFIX}/*`],
        },
        {
          sid: 'FindTheDatabase',
          actions: ['rds:DescribeDBInstances'],
          resources: [`arn:aws:rds:${props.region}:${props.database.accountId}:db:${props.database.identifier}`],
        },
        {
          sid: 'ReadTheDatabaseCredentials',
          actions: ['secretsmanager:GetSecretValue'],
          // Secrets Manager appends 6 random characters to a secret's ARN.
          resources: [`arn:aws:secretsmanager:${props.region}:${props.database.accountId}:secret:${props.database.secretId}-??????`],
        },
        useKeyByAlias('DecryptArtifactsAndCredentials', props.database.accountId, props.storageKeyAlias, ['kms:Decrypt'], [
          `s3.${props.region}.amazonaws.com`,
          `secretsmanager.${props.region}.amazonaws.com`,
        ]),
      ],
    });
    new IamRolePolicy(this, 'instance-runtime-policy', { name: 'app-runtime', role: role.id, policy: runtime.json });
    const profile = new IamInstanceProfile(this, 'instance-profile', {
      name: fitName(`${props.name}-app`, 128),
      role: role.name,
    });

    this.instanceTags = { ...props.launchTags, ...tag('app'), Tier: 'app', AppTier: props.name };
    const launchTemplate = new LaunchTemplate(this, 'launch-template', {
      name: `${props.name}-app`,
      description: 'App servers',
      // EC2 resolves the parameter at each launch: no AMI id is written anywhere.
      imageId: `resolve:ssm:${AL2023_AMI_PARAMETER}`,
      instanceType: props.instanceType ?? CONFIG_DEFAULTS.appTier.instanceType,
      vpcSecurityGroupIds: [this.instanceSecurityGroup.id],
      iamInstanceProfile: { arn: profile.arn },
      metadataOptions: { ...IMDS_V2_ONLY, instanceMetadataTags: 'disabled' },
      blockDeviceMappings: [
        {
          deviceName: '/dev/xvda',
          ebs: { volumeType: 'gp3', volumeSize: 8, encrypted: 'true', deleteOnTermination: 'true' },
        },
      ],
      monitoring: { enabled: true },
      // Encoded here, not with Terraform's base64encode(): the script is a plain literal.
      userData: Buffer.from(
        appUserData({
          appPort,
          healthCheckPath,
          region: props.region,
          artifactBucket: props.artifactBucket.bucketName,
          database: props.database,
        }),
      ).toString('base64'),
      tagSpecifications: [
        { resourceType: 'instance', tags: this.instanceTags },
        { resourceType: 'volume', tags: this.instanceTags },
      ],
      updateDefaultVersion: true,
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

  /** An ACM certificate for the TLS name, validated by a DNS record in the zone. */
  private addCertificate(tls: AppTls, tag: (s: string) => Record<string, string>): string {
    const certificate = new AcmCertificate(this, 'certificate', {
      domainName: tls.domainName,
      validationMethod: 'DNS',
      lifecycle: { createBeforeDestroy: true },
      tags: tag('app'),
    });
    const option = certificate.domainValidationOptions.get(0);
    // One owner for the record both regions' certificates share (see AppTls.ownsValidationRecord);
    // the other region's certificate validates against the same name.
    const fqdn =
      tls.ownsValidationRecord ?? true
        ? new Route53Record(this, 'certificate-validation-record', {
            zoneId: tls.hostedZoneId,
            name: option.resourceRecordName,
            type: option.resourceRecordType,
            records: [option.resourceRecordValue],
            ttl: 300,
          }).fqdn
        : Fn.trimsuffix(option.resourceRecordName, '.');
    const validation = new AcmCertificateValidation(this, 'certificate-validation', {
      certificateArn: certificate.arn,
      validationRecordFqdns: [fqdn],
    });
    return validation.certificateArn;
  }
}

function validateCapacity(id: string, capacity: AppCapacity): void {
  const { min, desired, max } = capacity;
  const whole = [min, desired, max].every((n) => Number.isInteger(n) && n >= 0);
  if (!whole || min > desired || desired > max || max < 1) {
    throw new Error(
      `AppTier ${id}: capacity is min ${min}, desired ${desired}, max ${max}, expected whole numbers with 0 <= min <= desired <= max and max >= 1.`,
    );
  }
}
