# Licence Manager on Google Cloud: one `terraform apply` for the whole system.
# Files are split by concern; README.md walks through a deployment from an empty project.

terraform {
  # State in a Cloud Storage bucket that only ops can read (it records the OAuth client secret
  # when one is given): `terraform init -backend-config="bucket=<bucket>"` (README step 4).
  backend "gcs" {
    prefix = "licence-manager"
  }

  # optional() attributes with defaults (1.3), check blocks and lifecycle preconditions (1.5).
  required_version = ">= 1.5.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 6.10.0, < 8.0.0"
    }
    # Firebase (project, web app, Hosting site) is only in the beta provider.
    google-beta = {
      source  = "hashicorp/google-beta"
      version = ">= 6.10.0, < 8.0.0"
    }
  }
}

# Firebase and Identity Platform APIs need a quota project when Terraform runs with a person's
# credentials; the deployment's own project is that project.
provider "google" {
  project               = var.project_id
  region                = var.region
  user_project_override = true
  billing_project       = var.project_id
  default_labels        = local.labels
}

provider "google-beta" {
  project               = var.project_id
  region                = var.region
  user_project_override = true
  billing_project       = var.project_id
  default_labels        = local.labels
}
