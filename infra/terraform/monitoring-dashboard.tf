# One Cloud Monitoring dashboard for the deployment: the usage sync (duration, API calls and
# licences written per run, runs by outcome), Firestore reads and writes, the reaction time from a
# sync's write to seats changed, top-ups and emails by outcome, dead-letter depth, Reseller API
# errors, the sweeper, contention, the audit check and departed customers' data, and the cost drivers (billable instance time, instances,
# Pub/Sub messages). The layout is monitoring-dashboard.json; tests/infra/test_monitoring.py
# checks that every log-based metric it charts exists in monitoring-metrics.tf.

resource "google_monitoring_dashboard" "operations" {
  project = var.project_id
  dashboard_json = templatefile("${path.module}/monitoring-dashboard.json", {
    prefix = var.prefix
    metric = "${local.log_metric_prefix}/${var.prefix}"
  })
  depends_on = [
    google_project_service.service,
    google_logging_metric.sync_runs,
    google_logging_metric.sync_duration,
    google_logging_metric.sync_api_calls,
    google_logging_metric.sync_licences_written,
    google_logging_metric.topup_outcomes,
    google_logging_metric.topup_reaction_time,
    google_logging_metric.notification_outcomes,
    google_logging_metric.reseller_api_errors,
    google_logging_metric.firestore_contention_retries,
    google_logging_metric.sweeper_actions,
    google_logging_metric.audit_chains_broken,
    google_logging_metric.audit_checks,
    google_logging_metric.departed_customer_data,
  ]
}
