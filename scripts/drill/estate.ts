import type { EstateConfig } from '../../config/load';
import { sitesOf } from '../../config/load';
import { namePrefix } from '../../config/naming';
import { regionOf } from './checks';
import type { StackJson } from './profile';

/* The estate a drill step applied: its config and stacks, and what the probes read of it. */

/** The stacks of the drill, and how to read them. */
export interface Estate {
  readonly config: EstateConfig;
  readonly stacks: Record<string, StackJson>;
}

export function observationSpec(estate: Estate) {
  const regions: Record<string, { asg: string; git: string; databasePrefix: string }> = {};
  for (const json of Object.values(estate.stacks)) {
    const asg = json.resource?.aws_autoscaling_group?.app_asg;
    const git = json.resource?.aws_instance?.git_instance;
    if (!asg || !git) continue;
    regions[regionOf(json)] = {
      asg: String(asg.name),
      git: String((git.tags as Record<string, string>).Name),
      databasePrefix: `${namePrefix(estate.config)}-db-`,
    };
  }
  // The names the DNS stack manages (the app's failover pair, Grafana's CNAME).
  const names = Object.values(estate.stacks)
    .flatMap((json) => Object.values(json.resource?.aws_route53_record ?? {}))
    .filter((record) => record.failover_routing_policy || record.type === 'CNAME')
    .map((record) => String(record.name))
    .filter((name) => !name.includes('${'));
  return { regions, zone: estate.config.dns.zoneName, names: [...new Set(names)] };
}

export function idSpec(estate: Estate) {
  return { bucketPrefix: estate.config.project, regions: sitesOf(estate.config).map((s) => s.region) };
}

