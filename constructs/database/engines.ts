import type { DatabaseEngine } from './props';

/* What differs between the engines the estate runs: ports, log exports, parameter groups, Performance Insights. */

/** The port each engine listens on. */
export const DATABASE_PORTS: Readonly<Record<DatabaseEngine, number>> = { postgres: 5432, mysql: 3306 };

export interface EngineSpec {
  readonly port: number;
  readonly logs: string[];
  /** Parameter group family of a major version. */
  readonly family: (version: string) => string;
  /** Parameters: TLS required, DDL and slow statements logged. */
  readonly parameters: (slowMs: number) => { name: string; value: string }[];
}

export const ENGINES: Record<DatabaseEngine, EngineSpec> = {
  postgres: {
    port: DATABASE_PORTS.postgres,
    logs: ['postgresql', 'upgrade'],
    family: (version) => `postgres${version.split('.')[0]}`,
    parameters: (slowMs) => [
      { name: 'rds.force_ssl', value: '1' },
      { name: 'log_statement', value: 'ddl' },
      { name: 'log_min_duration_statement', value: String(slowMs) },
    ],
  },
  mysql: {
    port: DATABASE_PORTS.mysql,
    logs: ['error', 'slowquery'],
    family: (version) => `mysql${version.split('.').slice(0, 2).join('.')}`,
    parameters: (slowMs) => [
      { name: 'require_secure_transport', value: '1' },
      { name: 'slow_query_log', value: '1' },
      { name: 'long_query_time', value: String(slowMs / 1000) },
    ],
  },
};

/**
 * Whether RDS runs Performance Insights (Database Insights) for an engine on a class: RDS User
 * Guide, "Amazon RDS DB engine, Region, and instance class support for Database Insights" -
 * MySQL and MariaDB do not support it on db.t2, db.t3 and db.t4g micro and small (RDS refuses the
 * instance); PostgreSQL has no class restriction.
 */
export function performanceInsightsSupported(engine: DatabaseEngine, instanceClass: string): boolean {
  return !(engine === 'mysql' && /^db\.(t2|t3|t4g)\.(micro|small)$/.test(instanceClass));
}
