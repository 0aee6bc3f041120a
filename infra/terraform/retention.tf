# Deleting a departed customer's data (issue 15; the rules are in
# src/licence_manager/domain/departure.py and docs/operations.md, "Departed customers").
#
# A customer has departed when every licence the sync stored for it is REMOVED (its
# subscriptions are gone from the reseller); retention.departed_after_days later, verify_audit's
# daily visit of each customer deletes its data, first writing what it deletes to the
# retention-locked bucket (deletions/YYYY-MM-DD/<customer>.json, audit-integrity.tf). Invoicing
# records (seat-change requests, monthly usage and additions, the audit trail) younger than
# retention.invoicing_days are never deleted; they go as they age out. Until
# retention.delete_departed is true, what is due is only logged ("departed customer due for
# deletion (dry run)"): switch it on once the dry run's reports have been read.

variable "retention" {
  description = "Deleting departed customers' data: whether to delete (false: only log what is due, a dry run), days after departing (all licences removed) before deleting (30 to 3650, default 400), and days invoicing records are kept by their own date (365 to 3650, default 2557: 7 years)."
  type = object({
    delete_departed     = optional(bool, false)
    departed_after_days = optional(number, 400)
    invoicing_days      = optional(number, 2557)
  })
  default  = {}
  nullable = false
  validation {
    condition     = var.retention.departed_after_days >= 30 && var.retention.departed_after_days <= 3650 && floor(var.retention.departed_after_days) == var.retention.departed_after_days
    error_message = "retention.departed_after_days must be a whole number of days from 30 to 3650."
  }
  validation {
    condition     = var.retention.invoicing_days >= 365 && var.retention.invoicing_days <= 3650 && floor(var.retention.invoicing_days) == var.retention.invoicing_days
    error_message = "retention.invoicing_days must be a whole number of days from 365 to 3650."
  }
  validation {
    # The archive keeps the deletion records: it must keep them at least as long as the
    # invoicing records they account for.
    condition     = var.audit_integrity.retention_days >= var.retention.invoicing_days
    error_message = "audit_integrity.retention_days must be at least retention.invoicing_days: the deletion records live in the audit heads bucket."
  }
}

output "retention" {
  description = "How departed customers' data is deleted: whether it is on (false: dry run, logged only), after how many days, and how long invoicing records are kept."
  value       = var.retention
}
