import { TerraformStack, Testing } from 'cdktf';
import { cidrContains, cidrsOverlap } from '../../config/cidr';
import { Network } from '../../constructs/network';
import { dataSource, resource, resourcesOf, synthEstate, withInput, type SynthesizedStack } from '../helpers';

const committed = synthEstate();
const singleNat = synthEstate(withInput({ network: { natGateways: 'single', flowLogRetentionDays: 30 } }));

const regions = [
  ['regional-us-east-2', '10.20.0.0/16', 3],
  ['regional-us-west-1', '10.30.0.0/16', 2],
] as const;

const TIERS = ['public', 'private', 'database'] as const;

describe.each(regions)('network of %s', (name, vpcCidr, azCount) => {
  const stack = committed.byName[name];
  const subnets = resourcesOf(stack, 'aws_subnet') as Record<string, Record<string, any>>;

  test('the VPC has the configured CIDR and DNS support', () => {
    expect(resource(stack, 'aws_vpc', 'network_vpc')).toMatchObject({
      cidr_block: vpcCidr,
      enable_dns_support: true,
      enable_dns_hostnames: true,
    });
  });

  test(`one subnet per tier in each of the ${azCount} AZs`, () => {
    expect(Object.keys(subnets).sort()).toEqual(
      TIERS.flatMap((tier) => Array.from({ length: azCount }, (_, slot) => `network_${tier}_${slot}`)).sort(),
    );
    for (const [id, subnet] of Object.entries(subnets)) {
      expect(subnet.tags.Tier).toBe(id.split('_')[1]);
    }
  });

  test('subnet CIDRs lie inside the VPC and do not overlap', () => {
    const cidrs = Object.values(subnets).map((s) => s.cidr_block as string);
    for (const cidr of cidrs) expect(cidrContains(vpcCidr, cidr)).toBe(true);
    for (let i = 0; i < cidrs.length; i++) {
      for (let j = i + 1; j < cidrs.length; j++) {
        expect([cidrs[i], cidrs[j], cidrsOverlap(cidrs[i], cidrs[j])]).toEqual([cidrs[i], cidrs[j], false]);
      }
    }
  });

  test('each AZ slot takes its AZ from the availability-zones data source', () => {
    for (const tier of TIERS) {
      for (let slot = 0; slot < azCount; slot++) {
        expect(subnets[`network_${tier}_${slot}`].availability_zone).toBe(
          `\${element(data.aws_availability_zones.network_azs.names, ${slot})}`,
        );
      }
    }
    expect(dataSource(stack, 'aws_availability_zones', 'network_azs')).toMatchObject({
      state: 'available',
      filter: [{ name: 'opt-in-status', values: ['opt-in-not-required'] }],
    });
  });

  test('no subnet gives instances a public IP on launch', () => {
    for (const subnet of Object.values(subnets)) expect(subnet.map_public_ip_on_launch).toBe(false);
  });

  test('a NAT gateway in every AZ, each private route table using its own AZ\'s', () => {
    expect(Object.keys(resourcesOf(stack, 'aws_nat_gateway'))).toHaveLength(azCount);
    for (let slot = 0; slot < azCount; slot++) {
      expect(resource(stack, 'aws_nat_gateway', `network_nat_${slot}`).subnet_id).toBe(
        `\${aws_subnet.network_public_${slot}.id}`,
      );
      expect(resource(stack, 'aws_route', `network_private_${slot}_default_route`)).toMatchObject({
        route_table_id: `\${aws_route_table.network_private_${slot}_routes.id}`,
        destination_cidr_block: '0.0.0.0/0',
        nat_gateway_id: `\${aws_nat_gateway.network_nat_${slot}.id}`,
      });
    }
  });

  test('public subnets route to the internet gateway; database subnets have no default route', () => {
    expect(resource(stack, 'aws_route', 'network_public_default_route')).toMatchObject({
      route_table_id: '${aws_route_table.network_public_routes.id}',
      gateway_id: '${aws_internet_gateway.network_internet_gateway.id}',
    });
    const routes = Object.values(resourcesOf(stack, 'aws_route')) as Record<string, unknown>[];
    expect(routes.filter((r) => r.route_table_id === '${aws_route_table.network_database_routes.id}')).toEqual([]);
    for (let slot = 0; slot < azCount; slot++) {
      expect(resource(stack, 'aws_route_table_association', `network_database_${slot}_association`)).toMatchObject({
        subnet_id: `\${aws_subnet.network_database_${slot}.id}`,
        route_table_id: '${aws_route_table.network_database_routes.id}',
      });
    }
  });

  test('an S3 gateway endpoint serves the private and database route tables', () => {
    const region = name.replace('regional-', '');
    expect(resource(stack, 'aws_vpc_endpoint', 'network_s3_endpoint')).toMatchObject({
      service_name: `com.amazonaws.${region}.s3`,
      vpc_endpoint_type: 'Gateway',
      route_table_ids: [
        ...Array.from({ length: azCount }, (_, s) => `\${aws_route_table.network_private_${s}_routes.id}`),
        '${aws_route_table.network_database_routes.id}',
      ],
    });
  });

  test('all VPC traffic is logged to CloudWatch with the configured retention', () => {
    expect(resource(stack, 'aws_flow_log', 'network_flow_log')).toMatchObject({
      vpc_id: '${aws_vpc.network_vpc.id}',
      traffic_type: 'ALL',
      log_destination_type: 'cloud-watch-logs',
      log_destination: '${aws_cloudwatch_log_group.network_flow_log_group.arn}',
      iam_role_arn: '${aws_iam_role.network_flow_log_role.arn}',
    });
    expect(resource(stack, 'aws_cloudwatch_log_group', 'network_flow_log_group').retention_in_days).toBe(365);
    expect(dataSource(stack, 'aws_iam_policy_document', 'network_flow_log_assume').statement[0].principals).toEqual([
      { type: 'Service', identifiers: ['vpc-flow-logs.amazonaws.com'] },
    ]);
  });

  test('the default security group admits nothing', () => {
    const sg = resource(stack, 'aws_default_security_group', 'network_default_security_group');
    expect(sg.vpc_id).toBe('${aws_vpc.network_vpc.id}');
    expect(sg.ingress).toBeUndefined();
    expect(sg.egress).toBeUndefined();
  });
});

test('no AZ name literal appears in any synthesized stack', () => {
  // An AZ name is a region followed by a letter: us-east-2a, us-west-1c, ...
  const azName = /\b[a-z]{2}(-[a-z]+)+-\d[a-z]\b/;
  expect(azName.exec('{"availability_zone": "us-west-1b"}')?.[0]).toBe('us-west-1b');
  expect(azName.exec('{"region": "us-west-1"}')).toBeNull();
  for (const stack of Object.values(committed.byName) as SynthesizedStack[]) {
    expect([stack.name, azName.exec(stack.text)?.[0]]).toEqual([stack.name, undefined]);
  }
});

describe('single NAT gateway mode', () => {
  const stack = singleNat.byName['regional-us-east-2'];

  test('one NAT gateway serves every private route table', () => {
    expect(Object.keys(resourcesOf(stack, 'aws_nat_gateway'))).toEqual(['network_nat_0']);
    expect(Object.keys(resourcesOf(stack, 'aws_eip'))).toEqual(['network_nat_0_ip']);
    for (let slot = 0; slot < 3; slot++) {
      expect(resource(stack, 'aws_route', `network_private_${slot}_default_route`).nat_gateway_id).toBe(
        '${aws_nat_gateway.network_nat_0.id}',
      );
    }
  });

  test('the flow log retention follows config', () => {
    expect(resource(stack, 'aws_cloudwatch_log_group', 'network_flow_log_group').retention_in_days).toBe(30);
  });
});

test('raising azCount adds subnets without renumbering the existing ones', () => {
  const three = synthEstate(withInput({ dr: { azCount: 3 } })).byName['regional-us-west-1'];
  const two = committed.byName['regional-us-west-1'];
  for (const [id, subnet] of Object.entries(resourcesOf(two, 'aws_subnet'))) {
    expect(resource(three, 'aws_subnet', id).cidr_block).toBe(subnet.cidr_block);
  }
  expect(Object.keys(resourcesOf(three, 'aws_subnet'))).toHaveLength(9);
});

describe('Network props validation', () => {
  const base = { name: 'n', region: 'us-east-2' as const, cidrBlock: '10.0.0.0/16', azCount: 2 };
  const build = (patch: object) => () =>
    new Network(new TerraformStack(Testing.app(), 's'), 'network', { ...base, ...patch });

  test('fails if azCount is outside the supported range', () => {
    expect(build({ azCount: 1 })).toThrow('Network network: azCount is 1, expected a whole number from 2 to 4.');
  });

  test('fails if the CIDR is not a network address', () => {
    expect(build({ cidrBlock: '10.0.0.1/16' })).toThrow(
      'Network network: cidrBlock is "10.0.0.1/16", expected an IPv4 CIDR block with no host bits set.',
    );
  });

  test('fails if the flow log retention is not a CloudWatch value', () => {
    expect(build({ flowLogRetentionDays: 45 })).toThrow(/^Network network: flowLogRetentionDays is 45, expected one of 1, 3, 5/);
  });
});
