# DR site active (failover, reprotected): us-west-1 is PRIMARY for both names.

run "dr_serves" {
  command = plan

  plan_options {
    refresh = false
  }

  assert {
    condition     = aws_route53_record.failover_app_us_west_1.failover_routing_policy[0].type == "PRIMARY" && aws_route53_record.failover_app_us_east_2.failover_routing_policy[0].type == "SECONDARY"
    error_message = "The app name must point at us-west-1 first."
  }

  assert {
    condition     = aws_route53_record.failover_monitoring_us_west_1.failover_routing_policy[0].type == "PRIMARY"
    error_message = "Monitoring must point at us-west-1's Grafana."
  }
}
