import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { Construct } from 'constructs';
import { Testing } from 'cdktf';
import { resolveConfig } from '../../config/load';
import { EstateStack } from '../../stacks/estate-stack';
import { committedInput, problemsOf, resource, resourcesOf, synthEstate, withInput, type SynthesizedStack } from '../helpers';

const committed = synthEstate();
const all = Object.values(committed.byName) as SynthesizedStack[];
const nonBootstrap = all.filter((s) => !s.name.startsWith('bootstrap-'));
const regionOf = (stack: SynthesizedStack) => (stack.name === 'dns-global' ? 'us-west-1' : stack.name.replace(/^[a-z]+-/, ''));

test('the estate is a bootstrap, a regional and a monitoring stack per region, and the DNS stack', () => {
  expect(all.map((s) => s.name).sort()).toEqual([
    'bootstrap-us-east-2',
    'bootstrap-us-west-1',
    'dns-global',
    'monitoring-us-east-2',
    'monitoring-us-west-1',
    'regional-us-east-2',
    'regional-us-west-1',
  ]);
});

test('every output of every stack is described', () => {
  for (const stack of all) {
    for (const [id, output] of Object.entries(stack.json.output ?? {})) {
      expect([stack.name, id, typeof output.description]).toEqual([stack.name, id, 'string']);
    }
  }
});

describe.each(nonBootstrap.map((s) => [s.name, s] as const))('%s', (_name, stack) => {
  test('keeps its state in its own region\'s bucket, encrypted with its storage key and locked', () => {
    const region = regionOf(stack);
    expect(stack.json.terraform.backend).toEqual({
      s3: {
        bucket: `dr-estate-prod-tfstate-111122223333-${region}`,
        key: `prod/${stack.name}/terraform.tfstate`,
        region,
        encrypt: true,
        kms_key_id: 'alias/dr-estate-prod-storage',
        dynamodb_table: 'dr-estate-prod-tflock',
        use_lockfile: true,
      },
    });
  });
});

describe.each(all.map((s) => [s.name, s] as const))('%s', (_name, stack) => {
  test('has one AWS provider in its own region with the estate tags', () => {
    const region = regionOf(stack);
    expect(stack.json.provider.aws).toEqual([
      {
        region,
        allowed_account_ids: ['111122223333'],
        default_tags: [
          {
            tags: {
              Project: 'dr-estate',
              Environment: 'prod',
              Region: region,
              DrRole: region === 'us-east-2' ? 'primary' : 'dr',
              ManagedBy: 'cdktf',
            },
          },
        ],
      },
    ]);
  });

  test('pins the AWS provider to 5.100.0', () => {
    expect(stack.json.terraform.required_providers.aws).toEqual({ source: 'aws', version: '5.100.0' });
  });
});

describe('bootstrap state', () => {
  test('a first bootstrap (bootstrapStateInS3: false, the schema\'s default) keeps local state at a path relative to the stack\'s folder', () => {
    const first = synthEstate(withInput({ stateBackend: { ...committedInput.stateBackend, bootstrapStateInS3: false } }));
    for (const name of ['bootstrap-us-east-2', 'bootstrap-us-west-1']) {
      expect(first.byName[name].json.terraform.backend).toEqual({
        local: { path: `../../../terraform.${name}.tfstate` },
      });
    }
  });

  test('the committed estate keeps the bootstrap stacks\' state in their region\'s own bucket (moved there after the first bootstrap)', () => {
    expect(committed.byName['bootstrap-us-west-1'].json.terraform.backend).toEqual({
      s3: {
        bucket: 'dr-estate-prod-tfstate-111122223333-us-west-1',
        key: 'prod/bootstrap-us-west-1/terraform.tfstate',
        region: 'us-west-1',
        encrypt: true,
        kms_key_id: 'alias/dr-estate-prod-storage',
        dynamodb_table: 'dr-estate-prod-tflock',
        use_lockfile: true,
      },
    });
    expect(committed.byName['bootstrap-us-east-2'].json.terraform.backend?.s3).toMatchObject({ bucket: 'dr-estate-prod-tfstate-111122223333-us-east-2', region: 'us-east-2' });
  });

  test('the primary bootstrap depends on the DR bootstrap (its replication target)', () => {
    expect(committed.stacks.bootstrap.primary.dependencies).toEqual([committed.stacks.bootstrap.dr]);
    expect(committed.stacks.bootstrap.dr.dependencies).toEqual([]);
  });
});

describe('state locking options', () => {
  test('s3Lockfile adds use_lockfile next to the DynamoDB table', () => {
    const both = synthEstate(withInput({ stateBackend: { s3Lockfile: true } }));
    expect(both.byName['regional-us-west-1'].json.terraform.backend?.s3).toMatchObject({
      use_lockfile: true,
      dynamodb_table: 'dr-estate-prod-tflock',
    });
  });

  test('lockfile-only locking drops the DynamoDB table from the backend', () => {
    const lockfile = synthEstate(withInput({ stateBackend: { s3Lockfile: true, dynamodbLocking: false } }));
    const backend = lockfile.byName['regional-us-east-2'].json.terraform.backend?.s3;
    expect(backend).toMatchObject({ use_lockfile: true });
    expect(backend).not.toHaveProperty('dynamodb_table');
  });

  test('without s3Lockfile (the schema default, for Terraform < 1.10) there is no use_lockfile', () => {
    const dynamodbOnly = synthEstate(withInput({ stateBackend: { s3Lockfile: false } }));
    expect(dynamodbOnly.byName['regional-us-east-2'].json.terraform.backend?.s3).not.toHaveProperty('use_lockfile');
  });
});

describe('account guard', () => {
  test('allowedAccountIds reaches every provider', () => {
    const guarded = synthEstate(withInput({ allowedAccountIds: ['111122223333', '123456789012'] }));
    for (const stack of Object.values(guarded.byName) as SynthesizedStack[]) {
      expect(stack.json.provider.aws[0].allowed_account_ids).toEqual(['111122223333', '123456789012']);
    }
  });

  test('without allowedAccountIds every provider acts in the estate\'s account only', () => {
    for (const stack of all) expect(stack.json.provider.aws[0].allowed_account_ids).toEqual(['111122223333']);
  });

  // Amazon S3 User Guide, "General purpose bucket naming rules": bucket names are unique across
  // all AWS accounts in a partition, so a name another account holds cannot be created.
  test('S3: every bucket name the estate derives carries the account id, so no other account can hold it', () => {
    for (const stack of all) {
      for (const [id, bucket] of Object.entries((stack.json.resource.aws_s3_bucket ?? {}) as Record<string, { bucket: string }>)) {
        expect([id, bucket.bucket]).toEqual([id, expect.stringContaining('-111122223333-')]);
      }
      const backend = stack.json.terraform.backend?.s3 as { bucket: string } | undefined;
      if (backend) expect(backend.bucket).toContain('-111122223333-');
    }
  });
});

describe('config tags', () => {
  test('extra tags are added, but cannot override the estate tags', () => {
    const tagged = synthEstate(withInput({ tags: { CostCenter: 'sre', Project: 'other' } }));
    const tags = (tagged.byName['regional-us-east-2'].json.provider.aws[0] as any).default_tags[0].tags;
    expect(tags).toMatchObject({ CostCenter: 'sre', Project: 'dr-estate' });
  });
});

describe('failover posture', () => {
  const failover = synthEstate(committedInput, { activeRegionOverride: 'us-west-1' });

  test('DR_ACTIVE_REGION=us-west-1 synthesizes every stack', () => {
    expect(Object.keys(failover.byName).sort()).toEqual(Object.keys(committed.byName).sort());
    expect(failover.config.activeRegion).toBe(failover.config.dr.region);
  });

  test('the DrRole tag names the site, so a failover retags nothing', () => {
    for (const name of Object.keys(committed.byName)) {
      expect(failover.byName[name].json.provider).toEqual(committed.byName[name].json.provider);
    }
  });
});

describe('Terraform addresses', () => {
  class TwoNames extends EstateStack {
    constructor(scope: Construct) {
      const config = resolveConfig(committedInput);
      super(scope, 'collide', { config, site: config.primary });
      new S3Bucket(new Construct(this, 'a-b'), 'c', { bucket: 'one' });
      new S3Bucket(new Construct(this, 'a'), 'b-c', { bucket: 'two' });
    }
  }

  test('fails if two construct paths map to one address', () => {
    expect(() => Testing.synth(new TwoNames(Testing.app()))).toThrow(
      'Stack collide: constructs "collide/a-b/c" and "collide/a/b-c" both map to the Terraform address suffix "a_b_c"; rename one of them.',
    );
  });
});

describe('config tags reach every taggable resource', () => {
  const tagged = synthEstate(withInput({ tags: { CostCenter: 'cc-42', Owner: 'sre team' } })).byName;
  const has = (tags: Record<string, string> | undefined) => tags?.CostCenter === 'cc-42' && tags?.Owner === 'sre team';

  test('every resource Terraform creates, through each provider\'s default_tags', () => {
    for (const stack of Object.values(tagged)) {
      for (const provider of stack.json.provider.aws as { default_tags: { tags: Record<string, string> }[] }[]) {
        expect([stack.name, has(provider.default_tags[0].tags)]).toEqual([stack.name, true]);
      }
    }
  });

  test.each(['us-east-2', 'us-west-1'])('%s: instances and volumes launched by Auto Scaling (app tier, EKS nodes) and the Git server\'s root volume', (region) => {
    const stack = tagged[`regional-${region}`];
    for (const [name, template] of Object.entries(resourcesOf(stack, 'aws_launch_template')) as [string, any][]) {
      const specs = template.tag_specifications as { resource_type: string; tags: Record<string, string> }[];
      expect([name, specs.map((s) => s.resource_type).sort()]).toEqual([name, ['instance', 'volume']]);
      for (const spec of specs) expect([name, spec.resource_type, has(spec.tags)]).toEqual([name, spec.resource_type, true]);
    }
    expect(has((resource(stack, 'aws_instance', 'git_instance').root_block_device as { tags: Record<string, string> }).tags)).toBe(true);
  });

  test.each(['us-east-2', 'us-west-1'])('%s: what Kubernetes creates (Prometheus\' EBS volume, Grafana\'s load balancer)', (region) => {
    const stack = tagged[`monitoring-${region}`];
    const parameters = Object.values(resourcesOf(stack, 'kubernetes_storage_class_v1'))[0].parameters as Record<string, string>;
    expect(Object.entries(parameters).filter(([k]) => k.startsWith('tagSpecification_')).map(([, v]) => v)).toEqual(
      expect.arrayContaining(['CostCenter=cc-42', 'Owner=sre team', `Region=${region}`]),
    );
    const service = Object.values(resourcesOf(stack, 'kubernetes_service_v1'))[0] as { metadata: { annotations: Record<string, string> } };
    const annotation = service.metadata.annotations['service.beta.kubernetes.io/aws-load-balancer-additional-resource-tags'].split(',');
    expect(annotation).toEqual(expect.arrayContaining(['CostCenter=cc-42', 'Owner=sre team', 'Project=dr-estate']));
  });

  test('fails if a tag cannot be passed on as k=v (a , or = in a key or value)', () => {
    expect(problemsOf(withInput({ tags: { Team: 'a,b' } }))).toEqual([
      'tags.Team is "a,b", expected tag values without , or = (tags are also passed as k=v,k=v).',
    ]);
  });
});
