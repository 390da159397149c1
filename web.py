"""The server entry: `streamlit run web.py` serves app.py inside an st.App, with Palmline's
routes (sign-in cookie, sign-out, streamed CSV) and security headers (palm/ui/web.py)."""

from starlette.middleware import Middleware
from streamlit.starlette import App

from palm.infra import configure_logging
from palm.settings import get_settings
from palm.ui.web import ROUTES, SecurityHeaders

configure_logging(get_settings().palm_log_level, get_settings().palm_log_format)

app = App("app.py", routes=ROUTES, middleware=[Middleware(SecurityHeaders)])
