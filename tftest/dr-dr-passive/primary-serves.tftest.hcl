# DR site passive (normal, failback): us-east-2 is PRIMARY for both names.

run "primary_serves" {
  command = plan

  plan_options {
    refresh = false
  }

  assert {
    condition     = aws_route53_record.failover_app_us_east_2.failover_routing_policy[0].type == "PRIMARY" && aws_route53_record.failover_app_us_west_1.failover_routing_policy[0].type == "SECONDARY"
    error_message = "The app name must fail over from us-east-2 to us-west-1."
  }

  assert {
    condition     = aws_route53_record.failover_monitoring_us_east_2.failover_routing_policy[0].type == "PRIMARY"
    error_message = "Monitoring must point at us-east-2's Grafana."
  }
}
