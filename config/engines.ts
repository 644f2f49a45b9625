/*
 * The database engines the estate runs, and every fact that differs between them, in one table:
 * the schema's choices and default versions, the constructs' ports, log exports, parameter
 * groups and Performance Insights support, and the app servers' client packages all read it.
 */

/** What the estate needs to know of one RDS engine. */
export interface EngineFacts {
  /** The version used when `database.engineVersion` is left out. */
  readonly defaultVersion: string;
  /** The port it listens on. */
  readonly port: number;
  /** The logs RDS exports to CloudWatch Logs. */
  readonly logs: readonly string[];
  /** The parameter group family of a version. */
  readonly family: (version: string) => string;
  /** Parameters: TLS required, DDL and slow statements logged (slower than `slowMs`). */
  readonly parameters: (slowMs: number) => { name: string; value: string }[];
  /** The command-line client the app servers install (Amazon Linux 2023 package). */
  readonly clientPackage: string;
  /**
   * Whether Performance Insights (Database Insights) runs on db.t2, db.t3 and db.t4g micro and
   * small classes: RDS User Guide, "Amazon RDS DB engine, Region, and instance class support for
   * Database Insights" (MySQL and MariaDB do not; RDS refuses the instance).
   */
  readonly insightsOnSmallBurstable: boolean;
}

export const DATABASE_ENGINES = {
  postgres: {
    defaultVersion: '16',
    port: 5432,
    logs: ['postgresql', 'upgrade'],
    family: (version) => `postgres${version.split('.')[0]}`,
    parameters: (slowMs) => [
      { name: 'rds.force_ssl', value: '1' },
      { name: 'log_statement', value: 'ddl' },
      { name: 'log_min_duration_statement', value: String(slowMs) },
    ],
    clientPackage: 'postgresql15',
    insightsOnSmallBurstable: true,
  },
  mysql: {
    defaultVersion: '8.0',
    port: 3306,
    logs: ['error', 'slowquery'],
    family: (version) => `mysql${version.split('.').slice(0, 2).join('.')}`,
    parameters: (slowMs) => [
      { name: 'require_secure_transport', value: '1' },
      { name: 'slow_query_log', value: '1' },
      { name: 'long_query_time', value: String(slowMs / 1000) },
    ],
    clientPackage: 'mariadb105',
    insightsOnSmallBurstable: false,
  },
} as const satisfies Record<string, EngineFacts>;

/** An RDS engine the estate runs. */
export type DatabaseEngine = keyof typeof DATABASE_ENGINES;

/** The engines, in the table's order. */
export const DATABASE_ENGINE_NAMES = Object.keys(DATABASE_ENGINES) as [DatabaseEngine, ...DatabaseEngine[]];

/** Whether RDS runs Performance Insights for an engine on a class (see {@link EngineFacts.insightsOnSmallBurstable}). */
export function performanceInsightsSupported(engine: DatabaseEngine, instanceClass: string): boolean {
  return DATABASE_ENGINES[engine].insightsOnSmallBurstable || !/^db\.(t2|t3|t4g)\.(micro|small)$/.test(instanceClass);
}
