# DR site active, as the offline tests synthesize it (failover): us-west-1 answers both names, and
# there is no standby route, into the detached old writer (the jest posture tests check it is absent).

run "dr_serves" {
  command = plan

  plan_options {
    refresh = false
  }

  assert {
    condition     = aws_route53_record.failover_app_active.alias[0].name == "dr-app.us-west-1.elb.amazonaws.com"
    error_message = "The app name must point at us-west-1 first."
  }

  assert {
    condition     = tolist(aws_route53_record.failover_monitoring[0].records)[0] == "dr-grafana.elb.us-west-1.amazonaws.com"
    error_message = "Monitoring must point at us-west-1's Grafana."
  }
}
