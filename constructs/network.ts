import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsAvailabilityZones } from '@cdktf/provider-aws/lib/data-aws-availability-zones';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { Fn, TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { parseCidr } from '../config/cidr';
import { fitName } from '../config/naming';
import { LOG_RETENTION_DAYS, MAX_AZ_COUNT, MIN_AZ_COUNT, type AwsRegion, type LogRetentionDays } from '../config/regions';
import { subnetLayout, type SubnetTier } from '../config/subnet-layout';
import { serviceTrust } from './trust';

/** How many NAT gateways the private subnets share. */
export type NatGatewayMode = 'one-per-az' | 'single';

/** Props of {@link Network}. */
export interface NetworkProps {
  /** Prefix of the `Name` tags and IAM names, unique per account and region (e.g. `dr-estate-prod-us-east-2`). */
  readonly name: string;
  /** Region the VPC is in; names the S3 gateway endpoint's service. */
  readonly region: AwsRegion;
  /** The VPC's IPv4 CIDR; subnets are computed from it (see `config/subnet-layout.ts`). */
  readonly cidrBlock: string;
  /** How many AZs to span, taken in order from the region's available, non-opt-in AZs. */
  readonly azCount: number;
  /**
   * A NAT gateway in every AZ (an AZ outage cannot cut the others off the internet), or one
   * shared gateway (cheaper, one AZ's failure takes egress from all).
   * @default 'one-per-az'
   */
  readonly natGateways?: NatGatewayMode;
  /**
   * Days the VPC flow log group keeps its events.
   * @default 365
   */
  readonly flowLogRetentionDays?: LogRetentionDays;
  /**
   * ARN of the key the flow log group is encrypted with (its key policy must let CloudWatch
   * Logs use it).
   * @default - the group is encrypted with CloudWatch Logs' own key
   */
  readonly logsKeyArn?: string;
}

/**
 * A VPC over `azCount` AZs with public, private and database subnets in each, an internet
 * gateway, NAT for the private tier, route tables, an S3 gateway endpoint, flow logs to
 * CloudWatch, and a default security group that admits nothing.
 *
 * Per-AZ construct ids carry the AZ slot (`public-0`), which is stable: slots are fixed and
 * AZs come from the data source in a fixed order.
 */
export class Network extends Construct {
  /** The VPC. */
  readonly vpc: Vpc;
  /** AZ names the subnets are in, in slot order (tokens resolved from the data source). */
  readonly availabilityZones: readonly string[];
  /** Public subnets (load balancers, NAT gateways), one per AZ. */
  readonly publicSubnets: readonly Subnet[];
  /** Private subnets (app tier, EKS), one per AZ, egress through NAT. */
  readonly privateSubnets: readonly Subnet[];
  /** Database subnets, one per AZ, with no route to the internet. */
  readonly databaseSubnets: readonly Subnet[];
  /** Route tables of the private subnets, one per AZ. */
  readonly privateRouteTables: readonly RouteTable[];
  /** NAT gateways, one per AZ or a single one. */
  readonly natGateways: readonly NatGateway[];

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    validateNetworkProps(id, props);
    const natMode = props.natGateways ?? 'one-per-az';
    const layout = subnetLayout(props.cidrBlock, props.azCount);
    const slots = layout.map((_, slot) => slot);
    const nameTag = (suffix: string) => ({ Name: `${props.name}-${suffix}` });

    const azs = new DataAwsAvailabilityZones(this, 'azs', {
      state: 'available',
      // Local and Wavelength Zones are opt-in; only regular AZs are wanted.
      filter: [{ name: 'opt-in-status', values: ['opt-in-not-required'] }],
    });
    this.availabilityZones = slots.map((slot) => Fn.element(azs.names, slot));

    this.vpc = new Vpc(this, 'vpc', {
      cidrBlock: props.cidrBlock,
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: nameTag('vpc'),
    });
    // The default security group admits nothing, so nothing can fall back on it.
    new DefaultSecurityGroup(this, 'default-security-group', {
      vpcId: this.vpc.id,
      tags: nameTag('default-deny-all'),
    });
    const igw = new InternetGateway(this, 'internet-gateway', {
      vpcId: this.vpc.id,
      tags: nameTag('igw'),
    });

    const subnet = (tier: SubnetTier, slot: number, extraTags: Record<string, string>) =>
      new Subnet(this, `${tier}-${slot}`, {
        vpcId: this.vpc.id,
        cidrBlock: layout[slot][tier],
        availabilityZone: this.availabilityZones[slot],
        mapPublicIpOnLaunch: false,
        tags: { ...nameTag(`${tier}-${slot}`), Tier: tier, ...extraTags },
      });
    // The role tags let the AWS Load Balancer Controller (EKS) find the subnets.
    this.publicSubnets = slots.map((s) => subnet('public', s, { 'kubernetes.io/role/elb': '1' }));
    this.privateSubnets = slots.map((s) =>
      subnet('private', s, { 'kubernetes.io/role/internal-elb': '1' }),
    );
    this.databaseSubnets = slots.map((s) => subnet('database', s, {}));

    const publicRoutes = new RouteTable(this, 'public-routes', {
      vpcId: this.vpc.id,
      tags: nameTag('public'),
    });
    new Route(this, 'public-default-route', {
      routeTableId: publicRoutes.id,
      destinationCidrBlock: '0.0.0.0/0',
      gatewayId: igw.id,
    });
    this.publicSubnets.forEach((s, slot) => {
      new RouteTableAssociation(this, `public-${slot}-association`, {
        subnetId: s.id,
        routeTableId: publicRoutes.id,
      });
    });

    const natSlots = natMode === 'single' ? [0] : slots;
    this.natGateways = natSlots.map((slot) => {
      const eip = new Eip(this, `nat-${slot}-ip`, { domain: 'vpc', tags: nameTag(`nat-${slot}`) });
      return new NatGateway(this, `nat-${slot}`, {
        allocationId: eip.allocationId,
        subnetId: this.publicSubnets[slot].id,
        tags: nameTag(`nat-${slot}`),
        dependsOn: [igw],
      });
    });

    this.privateRouteTables = slots.map((slot) => {
      const table = new RouteTable(this, `private-${slot}-routes`, {
        vpcId: this.vpc.id,
        tags: nameTag(`private-${slot}`),
      });
      new Route(this, `private-${slot}-default-route`, {
        routeTableId: table.id,
        destinationCidrBlock: '0.0.0.0/0',
        natGatewayId: this.natGateways[natMode === 'single' ? 0 : slot].id,
      });
      new RouteTableAssociation(this, `private-${slot}-association`, {
        subnetId: this.privateSubnets[slot].id,
        routeTableId: table.id,
      });
      return table;
    });

    // Databases get no default route at all: nothing in that tier reaches the internet.
    const databaseRoutes = new RouteTable(this, 'database-routes', {
      vpcId: this.vpc.id,
      tags: nameTag('database'),
    });
    this.databaseSubnets.forEach((s, slot) => {
      new RouteTableAssociation(this, `database-${slot}-association`, {
        subnetId: s.id,
        routeTableId: databaseRoutes.id,
      });
    });

    new VpcEndpoint(this, 's3-endpoint', {
      vpcId: this.vpc.id,
      serviceName: `com.amazonaws.${props.region}.s3`,
      vpcEndpointType: 'Gateway',
      routeTableIds: [...this.privateRouteTables.map((t) => t.id), databaseRoutes.id],
      tags: nameTag('s3'),
    });

    this.addFlowLogs(props, nameTag);

    new TerraformOutput(this, 'vpc-id', { value: this.vpc.id, description: 'ID of the VPC.' });
    new TerraformOutput(this, 'private-subnet-ids', {
      value: this.privateSubnets.map((s) => s.id),
      description: 'Private subnet IDs, one per AZ, in AZ slot order.',
    });
    new TerraformOutput(this, 'availability-zones', {
      value: this.availabilityZones,
      description: 'AZ names the subnets are in, in slot order.',
    });
  }

  private addFlowLogs(props: NetworkProps, nameTag: (s: string) => Record<string, string>): void {
    const logGroup = new CloudwatchLogGroup(this, 'flow-log-group', {
      name: `/vpc/${props.name}/flow-logs`,
      retentionInDays: props.flowLogRetentionDays ?? 365,
      kmsKeyId: props.logsKeyArn,
      tags: nameTag('flow-logs'),
    });
    const role = new IamRole(this, 'flow-log-role', {
      name: fitName(`${props.name}-flow-logs`, 64),
      assumeRolePolicy: serviceTrust(this, 'flow-log-assume', 'vpc-flow-logs.amazonaws.com'),
    });
    const write = new DataAwsIamPolicyDocument(this, 'flow-log-permissions', {
      statement: [
        {
          actions: [
            'logs:CreateLogStream',
            'logs:PutLogEvents',
            'logs:DescribeLogGroups',
            'logs:DescribeLogStreams',
          ],
          resources: [logGroup.arn, `${logGroup.arn}:*`],
        },
      ],
    });
    new IamRolePolicy(this, 'flow-log-policy', {
      name: 'write-flow-logs',
      role: role.id,
      policy: write.json,
    });
    new FlowLog(this, 'flow-log', {
      vpcId: this.vpc.id,
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logDestination: logGroup.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 60,
      tags: nameTag('flow-log'),
    });
  }
}

/** Early, one-sentence checks for direct use of the construct (config already checks the same). */
function validateNetworkProps(id: string, props: NetworkProps): void {
  if (!parseCidr(props.cidrBlock)) {
    throw new Error(
      `Network ${id}: cidrBlock is "${props.cidrBlock}", expected an IPv4 CIDR block with no host bits set.`,
    );
  }
  if (!Number.isInteger(props.azCount) || props.azCount < MIN_AZ_COUNT || props.azCount > MAX_AZ_COUNT) {
    throw new Error(
      `Network ${id}: azCount is ${props.azCount}, expected a whole number from ${MIN_AZ_COUNT} to ${MAX_AZ_COUNT}.`,
    );
  }
  const retention = props.flowLogRetentionDays;
  if (retention !== undefined && !(LOG_RETENTION_DAYS as readonly number[]).includes(retention)) {
    throw new Error(
      `Network ${id}: flowLogRetentionDays is ${retention}, expected one of ${LOG_RETENTION_DAYS.join(', ')}.`,
    );
  }
}
