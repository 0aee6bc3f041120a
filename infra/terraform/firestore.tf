# The licence store: Firestore in native mode, flat top-level collections (docs/architecture.md).
#
# Indexes. Every query the code runs today is served by Firestore's automatic single-field
# indexes or by the built-in document-id index:
#   licences      customerDomain >= p and < p + "\uf8ff"   (range on one field)
#   licences      customerId == id                         (equality on one field)
#   usage_daily   document id range, ordered by id         (built in)
#   sync_digests  by id only (the usage digest; its entries are unindexed below)
#   holder_digests by id only (the holder digest; its entries are unindexed below)
#   audit_events  document id range, ordered by id         (built in)
#   users, recipients, notifications, topup_requests: equality on one field, or by id
# and composite indexes, among them the dashboard's Logs and Notifications pages:
#   audit_events  customerId == id, ordered by at desc     (audit_by_customer_newest)
#   audit_events  customerId/licenceId and action ==, at desc (audit_by_*_action_newest)
#   notifications customerId (and status in) ==, createdAt desc (notifications_by_customer_*)
# tests/infra/test_firestore_indexes.py reads the
# queries from the code and fails, naming the index, when one needs a composite index that is
# not declared here, or filters on a field whose indexing is switched off below.
#
# TTL: none. Every collection is a record someone reads later (licences, daily rollups for
# reports, the audit chain, notifications, top-up requests for the month-end invoice) or a
# single heartbeat document that is overwritten (sync_runs/latest). Expiring any of them would
# lose history the reports and the audit log promise. A future collection of short-lived
# markers would add a `google_firestore_field` with `ttl_config {}` here.

resource "google_firestore_database" "main" {
  project     = var.project_id
  name        = var.firestore.database
  location_id = var.firestore.location
  type        = "FIRESTORE_NATIVE"
  # Server-side transactions (read, decide, write) serialise concurrent writers to a licence;
  # pessimistic locking is Firestore's default for them.
  concurrency_mode                  = "PESSIMISTIC"
  app_engine_integration_mode       = "DISABLED"
  point_in_time_recovery_enablement = var.firestore.point_in_time_recovery ? "POINT_IN_TIME_RECOVERY_ENABLED" : "POINT_IN_TIME_RECOVERY_DISABLED"
  delete_protection_state           = var.firestore.deletion_protection ? "DELETE_PROTECTION_ENABLED" : "DELETE_PROTECTION_DISABLED"
  # `terraform destroy` deletes the database once deletion_protection is switched off (README).
  deletion_policy = "DELETE"
  depends_on      = [google_project_service.service]
}

locals {
  # Composite indexes the queries need: { name = { collection, fields = [{ field, order }] } }.
  firestore_composite_indexes = {
    # The dashboard's Logs page across every SKU of a customer, newest first, paged
    # (adapters/firestore_dashboard.py _customer_log).
    audit_by_customer_newest = {
      collection = "audit_events"
      fields = [
        { field = "customerId", order = "ASCENDING" },
        { field = "at", order = "DESCENDING" },
      ]
    }
    # The Logs page filtered by event type, across a customer's SKUs or in one SKU's chain
    # (adapters/firestore_pages.py _customer_log_of, _chain_log_of).
    audit_by_customer_action_newest = {
      collection = "audit_events"
      fields = [
        { field = "customerId", order = "ASCENDING" },
        { field = "action", order = "ASCENDING" },
        { field = "at", order = "DESCENDING" },
      ]
    }
    audit_by_licence_action_newest = {
      collection = "audit_events"
      fields = [
        { field = "licenceId", order = "ASCENDING" },
        { field = "action", order = "ASCENDING" },
        { field = "at", order = "DESCENDING" },
      ]
    }
    # The Notifications page, newest first, all or the problems only (status in [...])
    # (adapters/firestore_pages.py _customer_notifications, _customer_problems).
    notifications_by_customer_newest = {
      collection = "notifications"
      fields = [
        { field = "customerId", order = "ASCENDING" },
        { field = "createdAt", order = "DESCENDING" },
      ]
    }
    notifications_by_customer_status_newest = {
      collection = "notifications"
      fields = [
        { field = "customerId", order = "ASCENDING" },
        { field = "status", order = "ASCENDING" },
        { field = "createdAt", order = "DESCENDING" },
      ]
    }
    # ... and those whose channel message failed or is unconfirmed (_customer_channel_problems).
    notifications_by_customer_channel_problem_newest = {
      collection = "notifications"
      fields = [
        { field = "customerId", order = "ASCENDING" },
        { field = "channelProblem", order = "ASCENDING" },
        { field = "createdAt", order = "DESCENDING" },
      ]
    }
    # Reports: one licence's additions in a date range (adapters/firestore_reports.py).
    audit_by_licence_time = {
      collection = "audit_events"
      fields = [
        { field = "licenceId", order = "ASCENDING" },
        { field = "at", order = "ASCENDING" },
      ]
    }
    # The month-end report: a customer's additions in a month (adapters/firestore_reports.py).
    audit_by_customer_time = {
      collection = "audit_events"
      fields = [
        { field = "customerId", order = "ASCENDING" },
        { field = "at", order = "ASCENDING" },
      ]
    }
    # The request sweeper: unfinished seat-change requests and unsent emails, oldest first
    # (adapters/firestore_automation.py requests_in_progress, notifications_unsent).
    requests_unfinished_oldest = {
      collection = "topup_requests"
      fields = [
        { field = "status", order = "ASCENDING" },
        { field = "createdAt", order = "ASCENDING" },
      ]
    }
    # Spending limits: a customer's requests of this month (requests_of_customer_since).
    # Requests awaiting approval use requests_unfinished_oldest (status ==, createdAt).
    requests_by_customer_time = {
      collection = "topup_requests"
      fields = [
        { field = "customerId", order = "ASCENDING" },
        { field = "createdAt", order = "ASCENDING" },
      ]
    }
    notifications_unsent_oldest = {
      collection = "notifications"
      fields = [
        { field = "status", order = "ASCENDING" },
        { field = "createdAt", order = "ASCENDING" },
      ]
    }
    # Reports: the last rollup before a range starts, the values it opens with.
    usage_daily_latest_before = {
      collection = "usage_daily"
      fields = [
        { field = "licenceId", order = "ASCENDING" },
        { field = "date", order = "DESCENDING" },
      ]
    }
  }

  # Fields no query filters or orders on whose single-field indexes cost storage and write
  # latency for nothing: hash-chain links (64 random hex characters) and free text.
  firestore_unindexed_fields = {
    audit_hash      = { collection = "audit_events", field = "hash" }
    audit_prev_hash = { collection = "audit_events", field = "prevHash" }
    audit_message   = { collection = "audit_events", field = "message" }
    # Every licence a sync writes gets the same timestamp: an indexed monotonic field that
    # Firestore limits to about 500 writes a second. Nothing queries it (docs/performance.md).
    licence_updated_at = { collection = "licences", field = "updatedAt" }
    # The usage digest: one map entry per licence of a shard (domain/usage_digest.py), read by
    # id only. Indexed, each entry would cost two index entries, and Firestore's 40,000 index
    # entries a document would bind long before its 1 MiB; the exemption covers the subfields.
    sync_digest_entries = { collection = "sync_digests", field = "entries" }
    # The holder digest: one map entry per seat_holders document of a customer
    # (domain/holder_digest.py), read by id only; exempt for the same reasons.
    holder_digest_entries = { collection = "holder_digests", field = "entries" }
  }
}

resource "google_firestore_index" "composite" {
  for_each    = local.firestore_composite_indexes
  project     = var.project_id
  database    = google_firestore_database.main.name
  collection  = each.value.collection
  query_scope = "COLLECTION"
  dynamic "fields" {
    for_each = each.value.fields
    content {
      field_path = fields.value.field
      order      = fields.value.order
    }
  }
}

resource "google_firestore_field" "unindexed" {
  for_each   = local.firestore_unindexed_fields
  project    = var.project_id
  database   = google_firestore_database.main.name
  collection = each.value.collection
  field      = each.value.field
  # An empty index_config switches off the automatic single-field indexes of this field.
  index_config {}
}

# Security rules: no client SDK may read or write anything. Only the functions' service
# accounts use the database, through IAM, which rules do not govern.
resource "google_firebaserules_ruleset" "firestore" {
  project = var.project_id
  source {
    files {
      name    = "firestore.rules"
      content = file("${path.module}/firestore.rules")
    }
  }
  depends_on = [google_firestore_database.main]
}

resource "google_firebaserules_release" "firestore" {
  project      = var.project_id
  name         = local.firestore_database == "(default)" ? "cloud.firestore" : "cloud.firestore/${local.firestore_database}"
  ruleset_name = "projects/${var.project_id}/rulesets/${google_firebaserules_ruleset.firestore.name}"
  lifecycle {
    replace_triggered_by = [google_firebaserules_ruleset.firestore]
  }
}
