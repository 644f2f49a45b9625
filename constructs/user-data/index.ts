import { gzipSync, strToU8 } from 'fflate';
import type { DatabaseEngine } from '../database';
import appScript from './app.sh';
import appSource from './app.py';
import gitDataTemplate from './git-data.sh';
import gitServerScript from './git-server.sh';
import nodeExporterScript from './node-exporter.sh';
import { render } from './template';
import { DATABASE_ENGINES } from '../../config/engines';

/*
 * Boot scripts of the estate's EC2 instances: the files beside this one (app.sh, app.py,
 * git-server.sh, node-exporter.sh), rendered from typed values (see ./template.ts).
 */

/** node_exporter release installed on every instance (checksum of the linux-amd64 tarball). */
export const NODE_EXPORTER = {
  version: '1.8.2',
  sha256: '6809dd0b3ec45fd6e992c19071d6b5253aed3ead7bf0686885a51d85c6643c66',
  port: 9100,
} as const;

/** node_exporter's textfile collector folder: metrics the boot scripts' jobs publish. */
export const TEXTFILE_DIR = '/var/lib/node_exporter/textfile';

/** The metric the Git backup job publishes after each upload that reached the bucket. */
export const GIT_BACKUP_METRIC = 'estate_git_backup_last_success_timestamp_seconds';

/** Fingerprint of the key Gitea signs its release binaries with ("Teabot <teabot@gitea.io>"). */
export const GITEA_SIGNING_KEY = '7C9E68152594688862D62AF62D9AE806EC1592E2';

/** Where the boot scripts take node_exporter from: the region's bucket, through its S3 endpoint. */
export const ARTIFACTS_PREFIX = 'artifacts';

/** The key of the node_exporter tarball in the artifacts bucket. */
export function nodeExporterArtifactKey(): string {
  return `${ARTIFACTS_PREFIX}/node_exporter-${NODE_EXPORTER.version}.linux-amd64.tar.gz`;
}

/**
 * Installs and starts node_exporter on port 9100 (shared by every boot script), from the
 * region's bucket (the VPC's S3 endpoint: no internet needed), checksum-verified. Never fatal:
 * a server serves even when the exporter cannot be had, and says so in its boot log.
 */
function nodeExporterSection(artifactBucket: string): string {
  return render('node-exporter.sh', nodeExporterScript, {
    NODE_EXPORTER_VERSION: NODE_EXPORTER.version,
    NODE_EXPORTER_PORT: NODE_EXPORTER.port,
    NODE_EXPORTER_SHA256: NODE_EXPORTER.sha256,
    ARTIFACT_BUCKET: artifactBucket,
    ARTIFACT_KEY: nodeExporterArtifactKey(),
    TEXTFILE_DIR,
  });
}

/** The database the app uses: found through RDS by identifier, logged into with the estate's secret. */
export interface AppDatabase {
  /** `postgres` or `mysql`. */
  readonly engine: DatabaseEngine;
  /** DB instance identifier of this region's database (its endpoint is looked up at run time). */
  readonly identifier: string;
  /** Database name. */
  readonly name: string;
  /** Port. */
  readonly port: number;
  /** Secrets Manager secret with `username` and `password` (read in the app's own region). */
  readonly secretId: string;
}

/** Values of the app servers' boot script. */
export interface AppUserDataProps {
  /** Port the app listens on. */
  readonly appPort: number;
  /** Path answering 200 while the app and its database are healthy. */
  readonly healthCheckPath: string;
  /** Region, reported by the app. */
  readonly region: string;
  /** The region's bucket holding node_exporter under `artifacts/`. */
  readonly artifactBucket: string;
  /** The region's database. */
  readonly database: AppDatabase;
}


/** The reference app (Python standard library, the engine's client for SQL). */
export function appPython(props: AppUserDataProps): string {
  const db = props.database;
  const settings: [string, string | number][] = [
    ['PORT', props.appPort],
    ['HEALTH_PATH', JSON.stringify(props.healthCheckPath)],
    ['REGION', JSON.stringify(props.region)],
    ['ENGINE', JSON.stringify(db.engine)],
    ['DB_IDENTIFIER', JSON.stringify(db.identifier)],
    ['DB_NAME', JSON.stringify(db.name)],
    ['DB_PORT', db.port],
    ['SECRET_ID', JSON.stringify(db.secretId)],
  ];
  return render('app.py', appSource, { SETTINGS: settings.map(([name, value]) => `${name} = ${value}`).join('\n') });
}

/**
 * The app server: the reference app, which stores and reads rows in the region's database
 * (endpoint from RDS, credentials from the estate's replicated secret) and is healthy only while
 * that database answers; started before node_exporter, whose absence never stops it. Its SQL
 * client comes from the region's AL2023 repositories.
 */
export function appUserData(props: AppUserDataProps): string {
  return render('app.sh', appScript, {
    HEALTH_PATH: props.healthCheckPath,
    DB_CLIENT_PACKAGE: DATABASE_ENGINES[props.database.engine].clientPackage,
    ENGINE: props.database.engine,
    APP_PY: appPython(props),
    NODE_EXPORTER: nodeExporterSection(props.artifactBucket),
  });
}

/** Hours after which an unchanged Git server still publishes a new generation (the bucket expires old ones). */
export const GIT_BACKUP_REFRESH_HOURS = 24;

/** Where the Git data script is rendered to run: the server's own paths, or a drill's. */
export interface GitDataProps {
  /** Gitea's work path (custom/ and data/ below it). */
  readonly gitHome: string;
  /** A folder emptied at every boot (tmpfs): what this boot has restored and whether it writes. */
  readonly runDir: string;
  /** The user Gitea runs as (owner of restored files when run as root). */
  readonly runUser: string;
  /** The region's backup bucket. */
  readonly backupBucket: string;
  /** This server's region. */
  readonly region: string;
  /** The SSM parameter holding the DR position (`{"activeRegion", "switches"}`). */
  readonly postureParameter: string;
  /** How long a server taking over waits for the old writer's final backup, seconds. */
  readonly handoverWaitSeconds: number;
  /** Seconds between two looks for it. */
  readonly handoverPollSeconds: number;
  /** node_exporter's textfile folder. */
  readonly textfileDir: string;
  /** Where what an operator must see goes besides the journal (the server's console). */
  readonly console: string;
}

/**
 * The Git server's backup, restore and publish code (git-data.sh, installed as
 * `estate-git-data`): generations published once by S3 conditional writes, restored only when
 * newer and never empty over repositories, failing closed. The Git data drill renders the same
 * file with its own folders and runs it against the emulator.
 */
export function gitDataScript(props: GitDataProps): string {
  return render('git-data.sh', gitDataTemplate, {
    GIT_HOME: props.gitHome,
    RUN_DIR: props.runDir,
    RUN_USER: props.runUser,
    BACKUP_BUCKET: props.backupBucket,
    REGION: props.region,
    POSTURE_PARAMETER: props.postureParameter,
    HANDOVER_WAIT_SECONDS: props.handoverWaitSeconds,
    HANDOVER_POLL_SECONDS: props.handoverPollSeconds,
    REFRESH_HOURS: GIT_BACKUP_REFRESH_HOURS,
    TEXTFILE_DIR: props.textfileDir,
    GIT_BACKUP_METRIC,
    CONSOLE: props.console,
  });
}

/** Values of the Git server's boot script. */
export interface GitUserDataProps {
  /** Gitea release to install. */
  readonly giteaVersion: string;
  /** This server's region. */
  readonly region: string;
  /** This region's backup bucket. */
  readonly backupBucket: string;
  /** Minutes between backups. */
  readonly backupIntervalMinutes: number;
  /** Device name the repository volume is attached as (`/dev/sdf`). */
  readonly dataDevice: string;
  /** Port Gitea serves HTTP on. */
  readonly httpPort: number;
  /** The SSM parameter holding the DR position, written by the regional stack. */
  readonly postureParameter: string;
  /** How long a server taking over waits for the old writer's final backup, minutes. */
  readonly handoverWaitMinutes: number;
}

/** Where Gitea keeps everything on the repository volume. */
export const GIT_HOME = '/var/lib/gitea';

/**
 * The Git server: mounts the repository volume (formatting it only when it has no file
 * system), installs a signature-verified Gitea, restores the newest complete backup generation
 * before Gitea starts (failing closed), publishes a generation on a timer when the data changed,
 * and a final one, the handover, when it stops (see git-data.sh).
 */
export function gitUserData(props: GitUserDataProps): string {
  // The boot script only installs the provisioning unit and starts it: the unit runs at every
  // boot until it has completed once, and a stop (the DR switch stopping the mirror right after
  // launch) waits for it instead of killing it. Everything it needs comes from the region: the
  // AL2023 repositories and the backup bucket's artifacts/ through the VPC's S3 endpoint.
  return render('git-server.sh', gitServerScript, {
    MARKER: `/var/lib/estate/git-provisioned-${props.giteaVersion}`,
    GITEA_VERSION: props.giteaVersion,
    NODE_EXPORTER: nodeExporterSection(props.backupBucket),
    DATA_DEVICE: props.dataDevice,
    BACKUP_BUCKET: props.backupBucket,
    ARTIFACTS_PREFIX,
    GITEA_SIGNING_KEY,
    HTTP_PORT: props.httpPort,
    GIT_DATA: gitDataScript({
      gitHome: GIT_HOME,
      runDir: '/run/estate-git',
      runUser: 'git',
      backupBucket: props.backupBucket,
      region: props.region,
      postureParameter: props.postureParameter,
      handoverWaitSeconds: props.handoverWaitMinutes * 60,
      handoverPollSeconds: 15,
      textfileDir: TEXTFILE_DIR,
      console: '/dev/console',
    }),
    BACKUP_INTERVAL_MINUTES: props.backupIntervalMinutes,
  });
}

/**
 * Most bytes of user data EC2 takes, raw, before base64 (EC2 User Guide, "Run commands when you
 * launch an EC2 instance with user data input": 16 KB); the AWS provider refuses more at plan.
 */
export const USER_DATA_MAX_BYTES = 16384;

/**
 * A boot script as gzip-compressed, base64-encoded user data (cloud-init unpacks gzip user
 * data itself: cloud-init docs, "User-data formats"), for a script over the 16 KB limit. fflate
 * (pinned in the lockfile) compresses, with no timestamp: the bytes are the same on every
 * machine and Node version, so a synth never shows a change that is not one.
 */
export function compressedUserData(script: string): string {
  const gzipped = gzipSync(strToU8(script), { level: 9, mtime: 0 });
  if (gzipped.length > USER_DATA_MAX_BYTES) {
    throw new Error(`boot script: ${gzipped.length} bytes compressed, expected at most ${USER_DATA_MAX_BYTES} (EC2's user data limit).`);
  }
  return Buffer.from(gzipped).toString('base64');
}
