# Cloud Scheduler jobs, each publishing a small JSON body to its topic.
#
#   <prefix>-sync-usage        every sync.interval_minutes, {"job": "sync-usage"} → sync_usage
#   <prefix>-sync-usage-verify 03:17 UTC daily, {"job": "sync-usage", "verify": true} → sync_usage,
#                              which reads every stored licence and rebuilds the usage digest
#   <prefix>-month-end-report  0 12 1 * * in month_end_report.time_zone, {"job": "month-end-report"}
#                              → topic <prefix>-month-end-report → send_alerts, which plans
#                              one page of customers: one message each on
#                              <prefix>-month-end-customer (→ send_alerts, which writes that
#                              customer's previous month to monthly_additions and emails it),
#                              and the next page on <prefix>-month-end-report (idempotent per
#                              customer and month: a rerun writes and sends nothing new).
#   <prefix>-sweep-requests    every 5 minutes (local.sweep_interval_minutes), {"job":
#                              "sweep-requests"} → sweep_requests, which republishes pending
#                              seat-change requests and re-drives or fails claimed ones whose
#                              lease has run out (issue 10, finding 6).
#   <prefix>-sync-holders      03:41 UTC daily, {"job": "sync-holders"} → sync_holders, which
#                              plans one page of customers: one message each on
#                              <prefix>-sync-holders-customer (→ sync_holders: that customer's
#                              seat_holders and licence_insights, written where changed) and
#                              the next page on <prefix>-sync-holders.
#
# Pausing: `licence-manager ops pause-automation` pauses all five jobs in an emergency (README).
# Terraform ignores `paused`, so an apply made during an emergency never resumes them; ops
# resume them with `licence-manager ops resume-automation`.
#
# Retry policy: none (retry_count = 0). A Pub/Sub target only fails when the publish itself
# fails; a missed sync, sweep or holder-sync tick is replaced by the next one, and a missed month-end report
# is run by hand with `gcloud scheduler jobs run` (README).

resource "google_cloud_scheduler_job" "job" {
  for_each    = local.scheduler_jobs
  project     = var.project_id
  region      = var.region
  name        = "${var.prefix}-${each.key}"
  description = each.value.description
  schedule    = each.value.schedule
  time_zone   = each.value.time_zone

  pubsub_target {
    topic_name = google_pubsub_topic.topic[each.value.topic].id
    data       = base64encode(jsonencode(each.value.body))
  }

  retry_config {
    retry_count = 0
  }

  lifecycle {
    ignore_changes = [paused]
  }

  depends_on = [google_project_service.service]
}
