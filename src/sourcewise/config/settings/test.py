"""Settings for the test suite: fast hashing, mail kept in memory, plain static files."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("SOURCEWISE_JOBS", "immediate")

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_USE_FINDERS = True
ALLOWED_HOSTS = ["*"]
SECURE_HSTS_SECONDS = 0

# Whitenoise wants its static root to exist even when it serves from the finders.
STATIC_ROOT = Path(tempfile.gettempdir()) / "sourcewise-test-static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Uploaded documents of the tests (and of the demos they build) stay out of ./data.
MEDIA_ROOT = Path(tempfile.gettempdir()) / "sourcewise-test-media"
# Temporary files of background jobs too.
SOURCEWISE_JOBS_DIR = Path(tempfile.gettempdir()) / "sourcewise-test-jobs"
