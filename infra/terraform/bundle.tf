# Function sources. `make package` builds build/functions/<name>-<sha256 prefix>.zip and a
# manifest; each zip is uploaded under that content-hash name, so an unchanged function keeps
# its object name and Terraform leaves it alone, and a changed one gets a new object and is
# rebuilt. Old objects are deleted by Terraform when replaced.

resource "google_storage_bucket" "sources" {
  #checkov:skip=CKV_GCP_62:Access logs of build inputs add nothing: every write is Terraform's, and Cloud Audit Logs record bucket administration.
  #checkov:skip=CKV_GCP_78:Objects are content-addressed and never overwritten, so versioning would keep nothing new.
  project                     = var.project_id
  name                        = "${var.project_id}-${var.prefix}-function-sources"
  location                    = var.region
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  # Everything in it is rebuilt by `make package`.
  force_destroy = true
  depends_on    = [google_project_service.service]
}

resource "google_storage_bucket_object" "bundle" {
  for_each     = local.functions
  bucket       = google_storage_bucket.sources.name
  name         = "${each.key}/${local.bundles[each.key].archive}"
  source       = "${local.bundle_path}/${local.bundles[each.key].archive}"
  content_type = "application/zip"
}

# A function folder that Terraform does not deploy, or a deployed function with no bundle, is a
# mistake in one of the two: say so at plan time.
check "bundles_match_functions" {
  assert {
    condition     = length(setsymmetricdifference(keys(local.bundles), keys(local.functions))) == 0
    error_message = "functions/ has ${jsonencode(sort(keys(local.bundles)))} but Terraform deploys ${jsonencode(sort(keys(local.functions)))}."
  }
}

# Images built from the sources. Cloud Run pulls the image a revision runs at deploy time and
# keeps it, so only recent images are worth keeping.
resource "google_artifact_registry_repository" "functions" {
  #checkov:skip=CKV_GCP_84:Google-managed encryption; images hold only code that is in the repository.
  project       = var.project_id
  location      = var.region
  repository_id = "${var.prefix}-functions"
  description   = "Licence Manager function images"
  format        = "DOCKER"

  cleanup_policy_dry_run = false
  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = 3
    }
  }
  cleanup_policies {
    id     = "delete-old"
    action = "DELETE"
    condition {
      older_than = "2592000s" # 30 days
    }
  }
  depends_on = [google_project_service.service]
}
