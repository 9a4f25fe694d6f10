"""The entry point for WSGI servers in production: ``gunicorn guide.wsgi:app``."""

import gc

from guide import create_app

app = create_app()

# What start-up built (modules, mappers, compiled templates, translations) lives as long as
# the process. Moved out of the collector's generations, it is no longer walked by every full
# collection: ~150 000 objects, which made such a collection a 60-130 ms pause in a request.
gc.freeze()
