# DR site passive, as the offline tests synthesize it (normal): us-east-2 answers both names, and
# fails over to us-west-1 (its database a replica: the standby route exists).

run "primary_serves" {
  command = plan

  plan_options {
    refresh = false
  }

  assert {
    condition     = aws_route53_record.failover_app_active.alias[0].name == "primary-app.us-east-2.elb.amazonaws.com" && aws_route53_record.failover_app_standby.alias[0].name == "dr-app.us-west-1.elb.amazonaws.com" && aws_route53_record.failover_app_standby.failover_routing_policy[0].type == "SECONDARY" && aws_route53_record.failover_app_standby.set_identifier == "standby"
    error_message = "The app name must fail over from us-east-2's load balancer to us-west-1's."
  }

  assert {
    condition     = tolist(aws_route53_record.failover_monitoring[0].records)[0] == "primary-grafana.elb.us-east-2.amazonaws.com"
    error_message = "Monitoring must point at us-east-2's Grafana."
  }
}
