import os

from django.core.wsgi import get_wsgi_application

from sourcewise.core.runtime import tune_garbage_collector

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sourcewise.config.settings.base")
application = get_wsgi_application()
tune_garbage_collector()  # each gunicorn worker, once everything it needs is loaded
