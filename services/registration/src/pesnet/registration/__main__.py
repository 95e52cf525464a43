"""`python -m pesnet.registration`: run the service."""

from __future__ import annotations

from pesnet.registration.bootstrap import build_app
from pesnet.registration.settings import Settings
from pesnet.shared.http import serve
from pesnet.shared.settings import load_settings

if __name__ == "__main__":
    serve(load_settings(Settings), build_app)
