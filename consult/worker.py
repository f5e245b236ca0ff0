"""What an RQ worker runs: build the app from the environment, then call the job function.

Jobs are enqueued by name (``"consult.analysis.jobs:run_analysis"``), so nothing below this
composition root imports the application factory.
"""

from importlib import import_module
from typing import Any

from flask import has_app_context


def run(function_path: str, *args: Any) -> Any:
    """Call the job function at `function_path` ("module:name") inside an app context."""
    module_name, _, name = function_path.partition(":")
    function = getattr(import_module(module_name), name)
    if has_app_context():
        return function(*args)
    from consult import create_app

    app = create_app()
    with app.app_context():
        return function(*args)
