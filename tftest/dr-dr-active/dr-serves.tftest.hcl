# DR site active (failover, reprotected): us-west-1 answers both names.

run "dr_serves" {
  command = plan

  plan_options {
    refresh = false
  }

  assert {
    condition     = aws_route53_record.failover_app_active.alias[0].name == "dr-app.us-west-1.elb.amazonaws.com" && aws_route53_record.failover_app_standby.alias[0].name == "primary-app.us-east-2.elb.amazonaws.com"
    error_message = "The app name must point at us-west-1 first."
  }

  assert {
    condition     = tolist(aws_route53_record.failover_monitoring[0].records)[0] == "dr-grafana.elb.us-west-1.amazonaws.com"
    error_message = "Monitoring must point at us-west-1's Grafana."
  }
}
