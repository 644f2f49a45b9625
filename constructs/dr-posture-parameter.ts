import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { Construct } from 'constructs';

/** Props of {@link DrPostureParameter}. */
export interface DrPostureParameterProps {
  /** Parameter name (`/<project>-<environment>/dr-posture`). */
  readonly name: string;
  /** The region that serves. */
  readonly activeRegion: string;
  /** Failovers plus failbacks so far: the Git servers' epoch. */
  readonly switches: number;
}

/**
 * The DR position as the switch last wrote it in this region, for what reads it at run time
 * rather than at deploy time: a Git server decides at each start whether it is the writer and
 * under which epoch it publishes. Plain (not secret) JSON: `{"activeRegion", "switches"}`. Each
 * region has its own copy, written by its own regional stack, so a dark region's copy is stale
 * until that region is deployed again; the Git servers' epochs make a stale copy harmless.
 */
export class DrPostureParameter extends Construct {
  /** The parameter. */
  readonly parameter: SsmParameter;
  /** Its name. */
  readonly name: string;

  constructor(scope: Construct, id: string, props: DrPostureParameterProps) {
    super(scope, id);
    if (!Number.isInteger(props.switches) || props.switches < 0) {
      throw new Error(`DrPostureParameter ${id}: switches is ${props.switches}, expected a whole number of at least 0.`);
    }
    this.name = props.name;
    this.parameter = new SsmParameter(this, 'parameter', {
      name: props.name,
      type: 'String',
      description: 'DR posture the switch last wrote here (read by the Git server at each start)',
      insecureValue: JSON.stringify({ activeRegion: props.activeRegion, switches: props.switches }),
    });
  }
}
