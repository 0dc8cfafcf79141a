"""Keep pupil data out of the logs: a filter for the loggers that describe requests.

A path holds only ids (``/pupils/42/register/``), but a query string can hold anything a form or
a link put there (a name searched for, say). ``NoRequestData`` cuts the query string from every
argument and from the message itself, and drops the request object that Django attaches to
``django.request`` records (handlers such as the admin e-mail would print its GET and POST).
"""

from __future__ import annotations

import logging
import re

QUERY_STRING = re.compile(r"\?[^\s\"']+")


def without_query_string(text: str) -> str:
    return QUERY_STRING.sub("", text)


class NoRequestData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = without_query_string(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                without_query_string(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        elif isinstance(record.args, dict):
            record.args = {
                key: without_query_string(value) if isinstance(value, str) else value
                for key, value in record.args.items()
            }
        if record.name == "django.request" and hasattr(record, "request"):
            del record.request
        return True
