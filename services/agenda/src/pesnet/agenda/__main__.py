"""`python -m pesnet.agenda`: run the service."""

from __future__ import annotations

from pesnet.agenda.bootstrap import build_app
from pesnet.agenda.settings import Settings
from pesnet.shared.http import serve
from pesnet.shared.settings import load_settings

if __name__ == "__main__":
    serve(load_settings(Settings), build_app)
