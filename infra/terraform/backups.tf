# Data that outlives mistakes (issue 15): a scheduled export of the whole Firestore database to a
# bucket with a retention policy, and read-only database access for people who export reports.
#
# Point-in-time recovery (firestore.tf) reaches back 7 days only. Invoicing records
# (monthly_additions, usage_monthly, topup_requests, audit_events) are needed for far longer,
# and a mistake (a bad deploy rewriting documents, someone deleting a collection by hand) may be
# found weeks later: so Cloud Scheduler asks Firestore's exportDocuments for the whole database
# every day (backups.schedule), into this bucket, where the retention policy keeps every
# export for backups.retention_days (at least 8: longer than point-in-time recovery) and a
# lifecycle rule deletes it after that. `gcloud firestore import gs://BUCKET/<export folder>`
# restores one (docs/operations.md, "Backups").
#
# Who can do what:
#   - <prefix>-backup (the scheduler job's identity) may only start exports: a custom role
#     with datastore.databases.export and reading the operation's progress, nothing else.
#   - Firestore's service agent writes the export files into the bucket (objectCreator;
#     without delete, and the retention policy forbids deleting or replacing them anyway).
#   - backups.readers and exporters get only what they need to read (objectViewer on the
#     bucket; roles/datastore.viewer on this database for `licence-manager export`, security
#     review #13: they can read reports, never change data).

variable "backups" {
  description = "Daily Firestore export: when (cron, UTC), how many days each export is kept (at least 8, longer than the 7 days of point-in-time recovery; invoicing records need years), whether the retention policy is locked (true in production: irreversible), and who may read the exports (IAM members)."
  type = object({
    schedule       = optional(string, "7 2 * * *")
    retention_days = optional(number, 400)
    lock_retention = optional(bool, false)
    readers        = optional(list(string), [])
  })
  default  = {}
  nullable = false
  validation {
    condition     = var.backups.retention_days >= 8 && var.backups.retention_days <= 3650 && floor(var.backups.retention_days) == var.backups.retention_days
    error_message = "backups.retention_days must be a whole number of days from 8 (longer than point-in-time recovery's 7) to 3650."
  }
  validation {
    condition     = length(split(" ", trimspace(var.backups.schedule))) == 5
    error_message = "backups.schedule is a five-field cron expression, e.g. \"7 2 * * *\"."
  }
  validation {
    condition     = alltrue([for m in var.backups.readers : can(regex("^(user|group|serviceAccount|domain):", m))])
    error_message = "backups.readers are IAM members such as \"group:ops@reseller.example\"."
  }
}

variable "exporters" {
  description = "IAM members who run `licence-manager export` (CSV reports) with their own credentials: they get roles/datastore.viewer on this database only, never write access (security review #13)."
  type        = list(string)
  default     = []
  nullable    = false
  validation {
    condition     = alltrue([for m in var.exporters : can(regex("^(user|group|serviceAccount|domain):", m))])
    error_message = "exporters are IAM members such as \"group:account-managers@reseller.example\"."
  }
}

resource "google_storage_bucket" "backups" {
  #checkov:skip=CKV_GCP_62:Cloud Audit Logs (data access) record reads and writes; access logs add a second copy.
  #checkov:skip=CKV_GCP_78:Each export is written once into its own folder and the retention policy forbids replacing it: versioning would keep nothing new.
  project                     = var.project_id
  name                        = "${var.project_id}-${var.prefix}-firestore-backups"
  location                    = var.region
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false
  labels                      = local.labels

  retention_policy {
    retention_period = var.backups.retention_days * 86400
    is_locked        = var.backups.lock_retention
  }

  lifecycle_rule {
    condition {
      age = var.backups.retention_days + 1
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.service]
}

resource "google_project_service_identity" "firestore" {
  provider   = google-beta
  project    = var.project_id
  service    = "firestore.googleapis.com"
  depends_on = [google_project_service.service]
}

resource "google_storage_bucket_iam_member" "backups_writer" {
  bucket = google_storage_bucket.backups.name
  role   = "roles/storage.objectCreator"
  member = "serviceAccount:${google_project_service_identity.firestore.email}"
}

resource "google_storage_bucket_iam_member" "backups_reader" {
  for_each = toset(var.backups.readers)
  bucket   = google_storage_bucket.backups.name
  role     = "roles/storage.objectViewer"
  member   = each.value
}

resource "google_service_account" "backup" {
  project      = var.project_id
  account_id   = "${var.prefix}-backup"
  display_name = "Licence Manager Firestore exports"
  description  = "Cloud Scheduler's identity for the daily exportDocuments call: may start exports, nothing else."
}

resource "google_project_iam_custom_role" "firestore_exporter" {
  project     = var.project_id
  role_id     = "${replace(var.prefix, "-", "_")}_firestore_exporter"
  title       = "Licence Manager Firestore exporter"
  description = "Start a Firestore export and follow it; no reads or writes of documents."
  permissions = [
    "datastore.databases.export",
    "datastore.databases.getMetadata",
    "datastore.operations.get",
  ]
}

resource "google_project_iam_member" "backup_exports" {
  project = var.project_id
  role    = google_project_iam_custom_role.firestore_exporter.id
  member  = "serviceAccount:${google_service_account.backup.email}"
  condition {
    title       = "${var.prefix}-backup-database"
    description = "Only the Licence Manager database"
    expression  = "resource.name == \"projects/${var.project_id}/databases/${local.firestore_database}\""
  }
}

# Cloud Scheduler mints the OAuth token as the backup account.
data "google_project" "this" {
  project_id = var.project_id
}

resource "google_service_account_iam_member" "scheduler_acts_as_backup" {
  service_account_id = google_service_account.backup.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-cloudscheduler.iam.gserviceaccount.com"
}

resource "google_cloud_scheduler_job" "firestore_export" {
  project     = var.project_id
  region      = var.region
  name        = "${var.prefix}-firestore-export"
  description = "Exports the whole Firestore database to the backups bucket (kept backups.retention_days)."
  schedule    = var.backups.schedule
  time_zone   = "Etc/UTC"

  http_target {
    http_method = "POST"
    uri         = "https://firestore.googleapis.com/v1/projects/${var.project_id}/databases/${local.firestore_database}:exportDocuments"
    headers     = { "Content-Type" = "application/json" }
    # A bucket with no path: Firestore names each export's folder by its start time.
    body = base64encode(jsonencode({ outputUriPrefix = "gs://${google_storage_bucket.backups.name}" }))
    oauth_token {
      service_account_email = google_service_account.backup.email
      scope                 = "https://www.googleapis.com/auth/datastore"
    }
  }

  retry_config {
    retry_count          = 2
    min_backoff_duration = "300s"
  }

  depends_on = [google_project_service.service, google_storage_bucket_iam_member.backups_writer]
}

resource "google_project_iam_member" "exporters_read_only" {
  for_each = toset(var.exporters)
  project  = var.project_id
  role     = "roles/datastore.viewer"
  member   = each.value
  condition {
    title       = "${var.prefix}-exporters-read-only"
    description = "Read the Licence Manager database only"
    expression  = "resource.name == \"projects/${var.project_id}/databases/${local.firestore_database}\""
  }
}

output "backups" {
  description = "Where the daily Firestore exports go, how long they are kept, and the job that starts them (`gcloud scheduler jobs run` runs one now)."
  value = {
    bucket         = google_storage_bucket.backups.name
    retention_days = var.backups.retention_days
    locked         = var.backups.lock_retention
    job            = google_cloud_scheduler_job.firestore_export.name
  }
}
