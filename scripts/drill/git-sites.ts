import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gitDataScript } from '../../constructs/user-data';

/*
 * The two Git sites of the Git data drill: each a data folder laid out as Gitea's work path
 * (custom/, data/ with the SQLite database, repositories, attachments, LFS objects, avatars and
 * the JWT signing key), its run folder (emptied at each "boot"), and the Git server's own data
 * script (constructs/user-data/git-data.sh) rendered for these folders, run with bash, git, the
 * AWS CLI and sqlite3 against the emulator. What Gitea would do on a push is done here: a real
 * `git push` into the site's bare repository, a row in its database and an attachment.
 */

const run = promisify(execFile);

/** What the drill needs on PATH: the data script's tools. */
export const GIT_DRILL_TOOLS = ['bash', 'git', 'aws', 'sqlite3', 'python3', 'tar', 'sha256sum'] as const;

let path: string | undefined;
/**
 * PATH with the Python that runs the drill's own bin folder first: its `aws` runs directly
 * rather than through a version manager's shim (half the time per call).
 */
export function toolPath(): string {
  if (path === undefined) {
    const bin = dirname(realpathSync(execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim()));
    path = existsSync(join(bin, 'aws')) ? `${bin}:${process.env.PATH ?? ''}` : (process.env.PATH ?? '');
  }
  return path;
}

/** Where the emulator is, and the credentials every command signs with. */
export interface SiteEndpoint {
  readonly emulator: string;
  /** A loopback URL nothing listens on: the site's region made unreachable. */
  readonly closed: string;
}

/** A command's outcome. */
export interface Outcome {
  readonly code: number;
  readonly output: string;
}

/** One region's Git server, as its data script sees it. */
export class GitSite {
  readonly home: string;
  readonly runDir: string;
  readonly script: string;
  /** True while the server answers (it restored in this boot). */
  serving = false;
  /** Set while its region is dark: every AWS call it makes leads nowhere. */
  dark = false;
  /** Set while only its bucket cannot be reached (S3 calls lead nowhere). */
  bucketUnreadable = false;

  constructor(
    readonly region: string,
    readonly bucket: string,
    readonly postureParameter: string,
    private readonly endpoint: SiteEndpoint,
    folder: string,
    handoverWaitSeconds: number,
    private readonly signal?: AbortSignal,
  ) {
    this.home = join(folder, 'gitea');
    this.runDir = join(folder, 'run');
    this.script = join(folder, 'estate-git-data');
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      this.script,
      gitDataScript({
        gitHome: this.home,
        runDir: this.runDir,
        runUser: userInfo().username,
        backupBucket: bucket,
        region,
        postureParameter,
        handoverWaitSeconds,
        handoverPollSeconds: 1,
        textfileDir: join(folder, 'textfile'),
        console: '/dev/null',
      }),
      { mode: 0o755 },
    );
  }

  /** A fresh Gitea work path: config with its secret key, an empty database, a JWT signing key, an avatar. */
  initialize(): void {
    for (const dir of ['custom/conf', 'data/gitea-repositories/estate', 'data/attachments', 'data/lfs', 'data/avatars', 'data/jwt', 'data/tmp']) {
      mkdirSync(join(this.home, dir), { recursive: true });
    }
    writeFileSync(join(this.home, 'custom/conf/app.ini'), `[security]\nSECRET_KEY = ${randomBytes(24).toString('hex')}\n`);
    writeFileSync(join(this.home, 'data/jwt/private.pem'), `-----BEGIN PRIVATE KEY-----\n${randomBytes(48).toString('base64')}\n-----END PRIVATE KEY-----\n`);
    writeFileSync(join(this.home, 'data/avatars/estate.png'), randomBytes(64));
    writeFileSync(join(this.home, 'data/tmp/cache'), 'rebuilt by Gitea, never backed up');
  }

  async sql(statement: string): Promise<string> {
    const { stdout } = await run('sqlite3', [join(this.home, 'data/gitea.db'), statement]);
    return stdout.trim();
  }

  /** Runs the data script (`restore`, `backup`, `backup --final`) as the server would, signing as its role (`git.<region>`). */
  async data(...args: string[]): Promise<Outcome> {
    return this.command('bash', [this.script, ...args], undefined, `git.${this.region}`);
  }

  /** The server boots: its run folder is empty, Gitea starts only if the restore succeeds. */
  async start(): Promise<Outcome> {
    rmSync(this.runDir, { recursive: true, force: true });
    const restore = await this.data('restore');
    this.serving = restore.code === 0;
    return restore;
  }

  /** The server stops: Gitea first, then the final backup (the handover), then the boot ends. */
  async stop(): Promise<Outcome> {
    this.serving = false;
    const final = await this.data('backup', '--final');
    rmSync(this.runDir, { recursive: true, force: true });
    return final;
  }

  /** An AWS CLI command in the site's region (through the emulator, or nowhere while dark). */
  aws(args: readonly string[]): Promise<Outcome> {
    return this.command('aws', [...args, '--region', this.region]);
  }

  /** The generations of the site's bucket, by key, oldest first. */
  async keys(prefix = 'git/'): Promise<string[]> {
    const listed = await this.aws(['s3api', 'list-objects-v2', '--bucket', this.bucket, '--prefix', prefix, '--query', 'Contents[].Key', '--output', 'text']);
    if (listed.code !== 0) throw new Error(`listing s3://${this.bucket}/${prefix}: ${listed.output}`);
    return listed.output.split(/\s+/).filter((k) => k && k !== 'None').sort();
  }

  /** The site's last restore, as its script reported it. */
  lastRestore(): { outcome: string; generation: string; atRiskSince: number | null; finalAwaitedSeconds: number; writer: boolean } {
    return JSON.parse(readFileSync(join(this.home, '.estate-git/last-restore.json'), 'utf8'));
  }

  unserviceable(): string | undefined {
    const file = join(this.home, '.estate-git/unserviceable');
    return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
  }

  /** Every file of the work path a restore must bring back (path -> content), but caches. */
  snapshot(): Record<string, string> {
    const files: Record<string, string> = {};
    const walk = (dir: string, rel: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = rel ? `${rel}/${entry.name}` : entry.name;
        if (entry.isDirectory()) {
          if (!['data/gitea-repositories', 'data/tmp', '.estate-git'].includes(path) && !path.startsWith('.')) walk(join(dir, entry.name), path);
        } else if (path !== 'data/gitea.db') {
          files[path] = readFileSync(join(dir, entry.name)).toString('base64');
        }
      }
    };
    walk(this.home, '');
    return files;
  }

  /** A command; AWS calls sign as `signer` (the drill's own stand-ins by default, never judged). */
  async command(file: string, args: readonly string[], cwd?: string, signer = 'drill'): Promise<Outcome> {
    const env = {
      PATH: toolPath(),
      HOME: process.env.HOME,
      AWS_ENDPOINT_URL: this.dark ? this.endpoint.closed : this.endpoint.emulator,
      AWS_ACCESS_KEY_ID: signer,
      AWS_SECRET_ACCESS_KEY: 'git-data-drill',
      ...(this.bucketUnreadable ? { AWS_ENDPOINT_URL_S3: this.endpoint.closed } : {}),
      AWS_MAX_ATTEMPTS: '1',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    };
    try {
      const { stdout, stderr } = await run(file, [...args], { env, cwd, maxBuffer: 16 * 1024 * 1024, signal: this.signal });
      return { code: 0, output: `${stdout}${stderr}`.trim() };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof failed.code === 'number' ? failed.code : 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}`.trim() };
    }
  }
}

/** A developer's pushes: each a commit pushed with git into a site's bare repository, a database row and an attachment. */
export class Pusher {
  /** Every push made, in order: its repository, commit and attachment. */
  readonly pushes: { readonly id: number; readonly repo: string; readonly commit: string; readonly attachment: string }[] = [];

  constructor(private readonly folder: string) {
    mkdirSync(folder, { recursive: true });
  }

  async push(site: GitSite, repo: string): Promise<void> {
    if (!site.serving) throw new Error(`push to ${site.region}: its Git server is not serving`);
    const id = this.pushes.length + 1;
    const bare = join(site.home, 'data/gitea-repositories/estate', `${repo}.git`);
    const git = (args: string[], cwd?: string) => site.command('git', ['-c', 'user.name=drill', '-c', 'user.email=drill@example.com', '-c', 'init.defaultBranch=main', ...args], cwd);
    const must = async (what: string, outcome: Promise<Outcome>) => {
      const done = await outcome;
      if (done.code !== 0) throw new Error(`push ${id} to ${site.region}/${repo}: ${what}: ${done.output}`);
      return done.output;
    };
    if (!existsSync(bare)) await must('create the repository', git(['init', '--bare', '-q', bare]));
    const work = join(this.folder, `push-${id}`);
    await must('clone', git(['clone', '-q', bare, work]));
    writeFileSync(join(work, `change-${id}.txt`), `push ${id}\n`);
    await must('commit', git(['add', '.'], work));
    await must('commit', git(['commit', '-q', '-m', `push ${id}`], work));
    await must('push', git(['push', '-q', 'origin', 'HEAD:main'], work));
    const commit = await must('rev-parse', git(['rev-parse', 'HEAD'], work));
    rmSync(work, { recursive: true, force: true });
    const attachment = `data/attachments/push-${id}`;
    writeFileSync(join(site.home, attachment), randomBytes(32));
    writeFileSync(join(site.home, 'data/lfs', `object-${id}`), randomBytes(32));
    await site.sql(`CREATE TABLE IF NOT EXISTS action (id INTEGER PRIMARY KEY, repo TEXT, commit_id TEXT); INSERT INTO action (id, repo, commit_id) VALUES (${id}, '${repo}', '${commit}');`);
    this.pushes.push({ id, repo, commit, attachment });
  }

  /** The pushes a site does not hold: commit, database row or attachment missing. */
  async missingOn(site: GitSite, ids: readonly number[]): Promise<number[]> {
    const missing: number[] = [];
    const rows = new Set((await site.sql('SELECT id FROM action').catch(() => '')).split('\n').filter(Boolean).map(Number));
    for (const push of this.pushes.filter((p) => ids.includes(p.id))) {
      const bare = join(site.home, 'data/gitea-repositories/estate', `${push.repo}.git`);
      const has = existsSync(bare) && (await site.command('git', ['--git-dir', bare, 'cat-file', '-e', `${push.commit}^{commit}`])).code === 0;
      if (!has || !rows.has(push.id) || !existsSync(join(site.home, push.attachment))) missing.push(push.id);
    }
    return missing;
  }
}
