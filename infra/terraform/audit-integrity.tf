# Audit integrity (issue 15; security review #13): every customer's hash chains are verified
# daily from their last verified head (verify_audit, scheduled in locals.scheduler_jobs), and
# the verified heads are exported to this bucket, where no function can rewrite them.
#
#   - verify_audit's account may only create objects here (roles/storage.objectCreator): no
#     read, no delete, and so no overwrite (replacing an object needs delete; the upload also
#     carries ifGenerationMatch=0).
#   - The retention policy forbids deleting or replacing any object younger than
#     audit_integrity.retention_days, to everyone. Locked (audit_integrity.lock_retention, for
#     production), it can never be shortened or removed, not even by the project's owners, and
#     the bucket cannot be deleted while it holds objects.
#   - Someone who rewrites a chain in Firestore (heads and checkpoints included) cannot make it
#     match the heads exported before: `licence-manager ops verify-audit --customer ID
#     --against-export YYYY-MM-DD` compares them (docs/operations.md, "Commands").

variable "audit_integrity" {
  description = "The daily audit check: when it runs (cron, UTC), how long exported chain heads are kept (days; the retention policy), and whether that policy is locked (true in production: irreversible, it can then never be shortened and the bucket not deleted while objects remain)."
  type = object({
    schedule       = optional(string, "23 4 * * *")
    retention_days = optional(number, 2557) # 7 years: as long as the invoicing records they vouch for
    lock_retention = optional(bool, false)
  })
  default  = {}
  nullable = false
  validation {
    condition     = var.audit_integrity.retention_days >= 30 && var.audit_integrity.retention_days <= 3650 && floor(var.audit_integrity.retention_days) == var.audit_integrity.retention_days
    error_message = "audit_integrity.retention_days must be a whole number of days from 30 to 3650."
  }
  validation {
    condition     = length(split(" ", trimspace(var.audit_integrity.schedule))) == 5
    error_message = "audit_integrity.schedule is a five-field cron expression, e.g. \"23 4 * * *\"."
  }
}

resource "google_storage_bucket" "audit_heads" {
  #checkov:skip=CKV_GCP_62:Cloud Audit Logs (data access) record reads and writes; access logs add a second copy.
  #checkov:skip=CKV_GCP_78:Objects are written once and the retention policy forbids replacing them: versioning would keep nothing new.
  project                     = var.project_id
  name                        = "${var.project_id}-${var.prefix}-audit-heads"
  location                    = var.region
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false
  labels                      = local.labels

  retention_policy {
    retention_period = var.audit_integrity.retention_days * 86400
    is_locked        = var.audit_integrity.lock_retention
  }

  depends_on = [google_project_service.service]
}

resource "google_storage_bucket_iam_member" "audit_heads_creator" {
  bucket = google_storage_bucket.audit_heads.name
  role   = "roles/storage.objectCreator"
  member = "serviceAccount:${google_service_account.function["verify_audit"].email}"
}

output "audit_heads_bucket" {
  description = "Where the verified audit chain heads are exported daily (gs://BUCKET/audit-heads/YYYY-MM-DD/CUSTOMER.json); read it with your own credentials for `licence-manager ops verify-audit --against-export`."
  value       = google_storage_bucket.audit_heads.name
}
