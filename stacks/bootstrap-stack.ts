import type { Construct } from 'constructs';
import { lockTableName, namePrefix, stateBucketName } from '../config/naming';
import { StateBackend, type StateBucketLocation } from '../constructs/state-backend';
import { EstateStack, type EstateStackProps } from './estate-stack';

/** Props of {@link BootstrapStack}. */
export interface BootstrapStackProps extends EstateStackProps {
  /**
   * The other region's state bucket, to replicate this region's state to.
   * @default - no replication (the DR region's bootstrap)
   */
  readonly replicaDestination?: StateBucketLocation;
}

/**
 * The one-time first step in a region: the state bucket and lock table every other stack of
 * the region keeps its state in. Its own state is a local file until
 * `stateBackend.bootstrapStateInS3` moves it into the bucket it created.
 */
export class BootstrapStack extends EstateStack {
  /** The region's state storage. */
  readonly stateBackend: StateBackend;

  constructor(scope: Construct, id: string, props: BootstrapStackProps) {
    super(scope, id, props);
    const { config, site } = props;
    if (config.stateBackend.bootstrapStateInS3) {
      this.useRegionalState();
    } else {
      this.useLocalState();
    }
    this.stateBackend = new StateBackend(this, 'state', {
      bucketName: stateBucketName(config, site.region),
      region: site.region,
      lockTableName: lockTableName(config),
      noncurrentVersionRetentionDays: config.stateBackend.noncurrentVersionRetentionDays,
      replicaDestination: props.replicaDestination,
      replicationRoleName: `${namePrefix(config)}-tfstate-replication`,
    });
  }
}
