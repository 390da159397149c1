"""The server entry: `streamlit run web.py` serves app.py inside an st.App, with Palmline's
routes (sign-in cookie, sign-out, streamed CSV) and security headers (palm/ui/web.py)."""

from starlette.middleware import Middleware
from streamlit.starlette import App

from palm.ui.web import ROUTES, SecurityHeaders

app = App("app.py", routes=ROUTES, middleware=[Middleware(SecurityHeaders)])
