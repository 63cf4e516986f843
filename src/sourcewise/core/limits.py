"""Sizes the product promises in the README, read by the pages, the API and its body limits."""

# A whole-workspace backup file (JSON) that a restore accepts.
MAX_BACKUP_BYTES = 200 * 1024 * 1024
