import { spawnSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { TerraformStack, Testing } from 'cdktf';
import { DrPostureParameter } from '../../constructs/dr-posture-parameter';
import { GitServer } from '../../constructs/git-server';
import { Network } from '../../constructs/network';
import { bucketLocation } from '../../constructs/secure-bucket';
import { appUserData, gitUserData } from '../../constructs/user-data';
import { committedInput, dataSource, resource, resourcesOf, synthEstate, withInput, PROPS_AT_CONFIG_DEFAULTS } from '../helpers';

/** The Git server's boot script, as cloud-init unpacks it (gzip, base64). */
const gitScript = (instance: Record<string, any>): string => gunzipSync(Buffer.from(instance.user_data_base64, 'base64')).toString('utf8');

const normal = synthEstate();
const failover = synthEstate(committedInput, { activeRegionOverride: 'us-west-1' });
const state = (estate: ReturnType<typeof synthEstate>, name: string) =>
  resource(estate.byName[name], 'aws_ec2_instance_state', 'git_state').state;

describe('Git server runs in the active region only', () => {
  test('normal: us-east-2 running, us-west-1 a stopped mirror', () => {
    expect(state(normal, 'regional-us-east-2')).toBe('running');
    expect(state(normal, 'regional-us-west-1')).toBe('stopped');
  });

  test('failover: us-west-1 running, us-east-2 stopped', () => {
    expect(state(failover, 'regional-us-west-1')).toBe('running');
    expect(state(failover, 'regional-us-east-2')).toBe('stopped');
  });
});

describe.each(['regional-us-east-2', 'regional-us-west-1'])('Git server of %s', (name) => {
  const stack = normal.byName[name];
  const region = name.replace('regional-', '');
  const peer = region === 'us-east-2' ? 'us-west-1' : 'us-east-2';
  const instance = resource(stack, 'aws_instance', 'git_instance');

  test('the boot script travels gzip-compressed (over 16 KB as text), and unpacks to the script', () => {
    expect(instance).not.toHaveProperty('user_data');
    expect(Buffer.from(instance.user_data_base64, 'base64').subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(gitScript(instance)).toMatch(/^#!\/bin\/bash\n/);
  });

  test('the instance: AL2023 from SSM, private subnet, no public IP, IMDSv2, encrypted root, termination-protected', () => {
    expect(instance).toMatchObject({
      ami: '${data.aws_ssm_parameter.git_ami.insecure_value}',
      subnet_id: '${aws_subnet.network_private_0.id}',
      associate_public_ip_address: false,
      disable_api_termination: true,
      metadata_options: { http_tokens: 'required' },
      root_block_device: { encrypted: true, volume_type: 'gp3' },
      lifecycle: { ignore_changes: ['ami'] },
    });
    expect(instance).not.toHaveProperty('key_name');
    expect(dataSource(stack, 'aws_ssm_parameter', 'git_ami').name).toBe(
      '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
    );
  });

  test('repositories live on a separate encrypted volume in the instance\'s AZ', () => {
    expect(resource(stack, 'aws_ebs_volume', 'git_data_volume')).toMatchObject({
      availability_zone: '${element(data.aws_availability_zones.network_azs.names, 0)}',
      encrypted: true,
      type: 'gp3',
      size: 50,
      lifecycle: { prevent_destroy: true },
    });
    expect(resource(stack, 'aws_volume_attachment', 'git_data_attachment')).toMatchObject({
      device_name: '/dev/sdf',
      volume_id: '${aws_ebs_volume.git_data_volume.id}',
      instance_id: '${aws_instance.git_instance.id}',
      stop_instance_before_detaching: true,
    });
  });

  test('no inbound rule by default but node_exporter from the EKS cluster (people reach it by SSM port forwarding)', () => {
    const ingress = Object.entries(resourcesOf(stack, 'aws_vpc_security_group_ingress_rule')) as [string, Record<string, any>][];
    const toGit = ingress.filter(([, r]) => r.security_group_id === '${aws_security_group.git_security_group.id}');
    expect(toGit.map(([id, r]) => [id, r.from_port, r.to_port, r.cidr_ipv4])).toEqual([['git_metrics_from_eks', 9100, 9100, undefined]]);
  });

  test('backup generations (git/, not the staged artifacts) replicate from this region\'s bucket to the peer region\'s', () => {
    const rule = resource(stack, 'aws_s3_bucket_replication_configuration', 'git_backup_replication');
    expect(rule.bucket).toBe(`dr-estate-prod-git-backup-111122223333-${region}`);
    expect(rule.rule[0].filter).toEqual({ prefix: 'git/' });
    expect(rule.rule[0].destination.bucket).toBe(`arn:aws:s3:::dr-estate-prod-git-backup-111122223333-${peer}`);
    expect(rule.rule[0].delete_marker_replication).toEqual({ status: 'Enabled' });
    // S3 replicates only what is written after the rule exists: the server (the only publisher) comes after it.
    expect(instance.depends_on).toEqual(['aws_s3_bucket_replication_configuration.git_backup_replication']);
  });

  test('the server may read and write only its own region\'s backup bucket, and read the DR position', () => {
    const statements = dataSource(stack, 'aws_iam_policy_document', 'git_backup_access').statement;
    expect(statements.flatMap((s: { resources: string[] }) => s.resources)).toEqual([
      `arn:aws:s3:::dr-estate-prod-git-backup-111122223333-${region}`,
      `arn:aws:s3:::dr-estate-prod-git-backup-111122223333-${region}/*`,
      '${aws_ssm_parameter.dr_posture_parameter.arn}',
      'arn:aws:kms:*:111122223333:key/*',
    ]);
    expect(statements[1].actions).toEqual(['s3:GetObject', 's3:PutObject']); // nothing deletes a generation
    expect(statements[2].actions).toEqual(['ssm:GetParameter']);
    // The key statement reaches only the storage key, and only through this region's S3.
    expect(statements[3]).toMatchObject({
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      condition: [
        { test: 'ForAnyValue:StringEquals', variable: 'kms:ResourceAliases', values: ['alias/dr-estate-prod-storage'] },
        { test: 'StringLike', variable: 'kms:ViaService', values: [`s3.${region}.amazonaws.com`] },
      ],
    });
  });

  test('the server reports one-minute metrics (detailed monitoring)', () => {
    expect(instance.monitoring).toBe(true);
  });

  test('the boot script publishes generations to its own bucket and restores before Gitea starts', () => {
    const script = gitScript(instance);
    expect(script).toContain(`BUCKET=dr-estate-prod-git-backup-111122223333-${region}`);
    expect(script).toContain(`REGION=${region}`);
    expect(script).toContain('--name "/dr-estate-prod/dr-posture"');
    expect(script).toContain('ExecStartPre=+/usr/local/bin/estate-git-data restore');
    expect(script).toContain('ExecStart=/usr/local/bin/estate-git-data backup');
    expect(script).toContain('HANDOVER_WAIT=600');
    expect(script).toContain('OnUnitActiveSec=15min');
    expect(script).toContain('if ! blkid "$DEVICE" >/dev/null 2>&1; then mkfs -t xfs "$DEVICE"; fi');
    expect(script).toMatch(/VALIDSIG \.\* 7C9E68152594688862D62AF62D9AE806EC1592E2\$/);
  });

  test('the boot script only installs the provisioning unit and starts it; a stop waits for provisioning to end', () => {
    const script = gitScript(instance);
    const outer = script.replace(/<<'PROVISION'[\s\S]*?\nPROVISION\n/, '<<PROVISION-BODY\n');
    expect(outer).not.toContain('dnf install');
    expect(outer).toContain('systemctl start --no-block estate-git-provision.service');
    const unit = /estate-git-provision\.service <<'UNIT'\n([\s\S]*?)\nUNIT/.exec(script)?.[1] ?? '';
    expect(unit).toContain('KillSignal=SIGCONT');
    expect(unit).toContain('SendSIGKILL=no');
    expect(unit).toContain('TimeoutStopSec=infinity');
    expect(unit).toContain('WantedBy=multi-user.target'); // again at every boot until it has completed
    // A failed step (an artifact not staged yet) is tried again every minute, without limit.
    expect(unit).toContain('Restart=on-failure');
    expect(unit).toContain('RestartSec=60');
    expect(unit).toContain('StartLimitIntervalSec=0');
    expect(script).toContain('if [ -f /var/lib/estate/git-provisioned-1.24.6 ]; then exit 0; fi');
    expect(script).toMatch(/Requires=estate-git-provision\.service/);
  });

  test('a started mirror needs no internet: Gitea, its signing key and node_exporter come from the region\'s bucket', () => {
    const script = gitScript(instance);
    expect(script).not.toMatch(/https?:\/\//);
    expect(script).toContain(`ARTIFACTS=s3://dr-estate-prod-git-backup-111122223333-${region}/artifacts`);
    expect(script).toContain('aws s3 cp --only-show-errors "$ARTIFACTS/gitea-1.24.6-linux-amd64" /tmp/gitea');
    expect(script).toContain('gpg --batch --import /tmp/gitea-signing-key.asc');
    expect(script).toContain('say "ready: Gitea 1.24.6 installed, data volume mounted"');
  });

  test('backups and restores stage on the data volume, never in /tmp (tmpfs, about half the memory)', () => {
    const script = gitScript(instance);
    const stagings = [...script.matchAll(/stage=\$\(mktemp -d "([^)]*)"\)/g)].map((m) => m[1]);
    expect(stagings).toEqual(['$HOME_DIR/.restore-staging.XXXXXX', '$HOME_DIR/.backup-staging.XXXXXX']);
    expect(script).toContain('HOME_DIR=/var/lib/gitea');
    expect([...script.matchAll(/(\w+)=\$\(mktemp -d\)/g)].map((m) => m[1])).toEqual(['GNUPGHOME']);
  });

  test('each backup that reaches the bucket publishes its time for Prometheus, and node_exporter reads it', () => {
    const script = gitScript(instance);
    expect(script).toContain('--collector.textfile.directory=/var/lib/node_exporter/textfile');
    expect(script).toContain('mv /var/lib/node_exporter/textfile/.estate_git_backup.prom.tmp /var/lib/node_exporter/textfile/estate_git_backup.prom');
    // Published after the upload, so a failed upload leaves the age growing.
    expect(script.lastIndexOf('publish_metric "$now"')).toBeGreaterThan(script.indexOf('--if-none-match'));
    expect(resource(stack, 'aws_vpc_security_group_ingress_rule', 'git_metrics_from_eks')).toMatchObject({
      security_group_id: '${aws_security_group.git_security_group.id}',
      from_port: 9100,
      to_port: 9100,
      referenced_security_group_id: '${aws_eks_cluster.eks_cluster.vpc_config[0].cluster_security_group_id}',
    });
  });

  test('a final backup, the handover, runs whenever the server stops: after Gitea stops, before the network goes', () => {
    const script = gitScript(instance);
    const unit = /estate-git-backup-on-stop\.service <<'UNIT'\n([\s\S]*?)\nUNIT/.exec(script)?.[1] ?? '';
    expect(unit).toContain('After=network-online.target');
    expect(unit).toContain('Before=gitea.service');
    expect(unit).toContain('ExecStop=/usr/local/bin/estate-git-data backup --final');
    expect(script).toContain('estate-git-backup.timer estate-git-backup-on-stop.service');
  });
});

describe('boot scripts', () => {
  const scripts = {
    app: appUserData({
      appPort: 8080,
      healthCheckPath: '/healthz',
      region: 'us-east-2',
      artifactBucket: 'a',
      database: { engine: 'postgres', identifier: 'd', name: 'app', port: 5432, secretId: 's' },
    }),
    git: gitUserData({
      giteaVersion: '1.24.6',
      region: 'us-east-2',
      postureParameter: '/p/dr-posture',
      handoverWaitMinutes: 10,
      backupBucket: 'b',
      backupIntervalMinutes: 15,
      dataDevice: '/dev/sdf',
      httpPort: 3000,
    }),
  };

  test.each(Object.entries(scripts))('the %s script is valid bash', (_name, script) => {
    const check = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
    expect([check.status, check.stderr]).toEqual([0, '']);
  });

  test.each(Object.entries(scripts))('the %s script has nothing Terraform would interpolate', (_name, script) => {
    expect(script).not.toMatch(/\$\{|%\{/);
  });
});

describe('Git server options', () => {
  test('allowedCidrs open the web port to those networks only', () => {
    const vpn = synthEstate(withInput({ gitServer: { allowedCidrs: ['10.99.0.0/16'] } })).byName['regional-us-east-2'];
    expect(resource(vpn, 'aws_vpc_security_group_ingress_rule', 'git_in_allowed_0')).toMatchObject({
      security_group_id: '${aws_security_group.git_security_group.id}',
      cidr_ipv4: '10.99.0.0/16',
      from_port: 3000,
      to_port: 3000,
    });
  });

  test('fails if a construct user opens it to the world', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    const network = new Network(stack, 'network', { name: 'n', region: 'us-east-2', cidrBlock: '10.0.0.0/16', azCount: 2 });
    expect(
      () =>
        new GitServer(stack, 'git', {
          name: 'n',
          network,
          running: true,
          storageKey: { aliasName: 'alias/storage', accountId: '111122223333' },
          backupBucket: bucketLocation('a', 'us-east-2'),
          peerBackupBucket: bucketLocation('b', 'us-west-1'),
          posture: new DrPostureParameter(stack, 'posture', { name: '/n/dr-posture', activeRegion: 'us-east-2', switches: 0 }),
          allowedCidrs: ['0.0.0.0/0'],
          ...PROPS_AT_CONFIG_DEFAULTS.gitServer,
        }),
    ).toThrow('GitServer git: allowedCidrs has "0.0.0.0/0", expected IPv4 networks of /8 or smaller (never the world).');
  });
});

describe('the DR position parameter the Git servers read at start', () => {
  test.each([
    ['normal', normal, 'us-east-2', 0],
    ['failover', failover, 'us-west-1', 1],
  ] as const)('%s: each region holds the active region and the switch count, nothing else (no secret)', (_label, estate, active, switches) => {
    for (const name of ['regional-us-east-2', 'regional-us-west-1']) {
      const parameter = resource(estate.byName[name], 'aws_ssm_parameter', 'dr_posture_parameter');
      expect(parameter.name).toBe('/dr-estate-prod/dr-posture');
      expect(parameter.type).toBe('String');
      expect(JSON.parse(parameter.insecure_value)).toEqual({ activeRegion: active, switches });
    }
  });

  test('the Git server is started or stopped only once the posture is written (a new writer reads its epoch from it)', () => {
    expect(resource(normal.byName['regional-us-east-2'], 'aws_ec2_instance_state', 'git_state').depends_on).toEqual(['aws_ssm_parameter.dr_posture_parameter']);
  });
});
