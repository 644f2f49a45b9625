import type { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import type { Network } from '../network';

/* The database's props: engine, role in the DR posture, instance sizing. */

import type { DatabaseEngine } from '../../config/engines';

export type { DatabaseEngine };

/**
 * What the database is in its region:
 * - `primary`: a standalone Multi-AZ instance created as the original primary;
 * - `replica`: a Multi-AZ cross-region read replica of `sourceArn`;
 * - `promoted`: the same resource as `replica` with `replicate_source_db` dropped, which the
 *   AWS provider applies as a promotion (an update, not a replacement), plus backups and the
 *   master password from the estate's secret.
 */
export type DatabaseRole =
  | { readonly kind: 'primary' }
  | { readonly kind: 'replica'; readonly sourceArn: string }
  | { readonly kind: 'promoted' };

/** One incarnation of the region's database (see `config/dr.ts`). */
export interface DatabaseInstanceSpec {
  /** Incarnation number: part of the instance's construct id and Terraform address. */
  readonly incarnation: number;
  /** DB instance identifier. */
  readonly identifier: string;
  /** Primary, replica or promoted replica. */
  readonly role: DatabaseRole;
  /**
   * An older incarnation this region ran, to stop managing without destroying it (a
   * `removed` block): it stays in AWS, deletion-protected, until deleted by hand with a final
   * snapshot.
   * @default - none
   */
  readonly retiredIncarnation?: number;
}

/** Props of {@link Database}. */
export interface DatabaseProps {
  /** Name of the region's database resources (key alias, subnet group, security group). */
  readonly name: string;
  /** The instance this region runs. */
  readonly instance: DatabaseInstanceSpec;
  /** The region's network: the database lives in its database subnets. */
  readonly network: Network;
  /** Security group of the clients (the app tier): the only source admitted on the DB port. */
  readonly clientSecurityGroup: SecurityGroup;
  /**
   * RDS engine.
   */
  readonly engine: DatabaseEngine;
  /**
   * Engine version (major, or major.minor); minor upgrades are automatic.
   */
  readonly engineVersion: string;
  /**
   * Instance class of both nodes (primary and Multi-AZ standby).
   */
  readonly instanceClass: string;
  /**
   * Initial gp3 storage, GiB.
   */
  readonly allocatedStorageGb: number;
  /**
   * Storage autoscaling ceiling, GiB.
   */
  readonly maxAllocatedStorageGb: number;
  /**
   * Automated backup retention, days (on a primary, and on a replica once promoted).
   */
  readonly backupRetentionDays: number;
  /**
   * Database created on the primary.
   */
  readonly databaseName: string;
  /**
   * Master user (its password comes from `masterPassword`).
   */
  readonly masterUsername: string;
  /**
   * The master password of a writer (`primary` or `promoted`), passed write-only
   * (`password_wo`, never in plan or state), and its version: raising the version sets the
   * password again (rotation). A replica takes its source's password and needs none.
   * @default - none; required for the primary and promoted roles
   */
  readonly masterPassword?: { readonly value: string; readonly version: number };
  /** The AWS account (its root administers the database key). */
  readonly accountId: string;
  /** Name of the enhanced monitoring role (IAM names are account-wide: include the region). */
  readonly monitoringRoleName: string;
  /** ARN of the region's log key: the database's exported log groups are encrypted with it. */
  readonly logsKeyArn: string;
  /**
   * Days the exported database logs are kept.
   * @default 365
   */
  readonly logRetentionDays?: number;
  /**
   * Statements slower than this are logged (with their duration), milliseconds.
   * @default 1000
   */
  readonly slowStatementMilliseconds?: number;
}
