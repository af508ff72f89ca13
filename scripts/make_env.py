"""Create .env from .env.example with a freshly generated SECRET_KEY (run once by `make run`)."""

import secrets
from pathlib import Path

root = Path(__file__).resolve().parent.parent
target = root / ".env"
if not target.exists():
    text = (root / ".env.example").read_text(encoding="utf-8")
    key = secrets.token_urlsafe(50)
    text = text.replace("SECRET_KEY=change-me", f"SECRET_KEY={key}")
    target.write_text(text, encoding="utf-8")
    print(f"created {target} with a new SECRET_KEY")
