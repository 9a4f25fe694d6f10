"""Extension objects, created unbound; ``create_app`` binds them to the app."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from guide.database import Base

#: Objects stay loaded after the commit, so a page can render what the request just read.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@limiter.request_filter
def _rate_limits_switched_off() -> bool:
    # One Limiter object serves every app in the process (tests build several), and its
    # own on/off flag follows the app set up last; so ask the app serving this request.
    from flask import current_app

    return not current_app.config.get("RATELIMIT_ENABLED", True)
