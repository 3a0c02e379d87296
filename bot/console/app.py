"""The staff service: health check, the staff JSON API, the weekly reports and the embeddable web chat."""
from __future__ import annotations

from sanic import Blueprint, Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, json
from sqlalchemy import text

from bot.config import Settings
from bot.console.api import api
from bot.console.webchat import webchat
from bot.db import engine_for
from bot.handoff.rasa_api import RasaConversations

health = Blueprint("health")


@health.get("/health")
async def get_health(request: Request) -> HTTPResponse:
    """Up and able to reach the database."""
    try:
        with engine_for(request.app.ctx.settings.database_url).connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # any database failure makes the service unhealthy, with the reason
        return json({"status": "unhealthy", "database": str(error).splitlines()[0]}, status=503)
    return json({"status": "ok", "database": "ok"})


def create_app(settings: Settings, name: str = "staff_service") -> Sanic:
    app = Sanic(name)
    app.ctx.settings = settings
    app.ctx.rasa = RasaConversations(settings.rasa_url, settings.secret(settings.rasa_api_token, "rasa-api.token"))
    app.blueprint(health)
    app.blueprint(api)
    if settings.staff_group_enabled:
        from bot.handoff.staff_group import StaffGroup

        @app.listener("after_server_start")
        async def start_staff_group(app: Sanic, _loop: object) -> None:
            app.ctx.staff_group = StaffGroup(settings, app.ctx.rasa)
            await app.ctx.staff_group.start()

        @app.listener("before_server_stop")
        async def stop_staff_group(app: Sanic, _loop: object) -> None:
            await app.ctx.staff_group.stop()
    from bot.report.delivery import WeeklyReports, targets

    if targets(settings):
        @app.listener("after_server_start")
        async def start_weekly_reports(app: Sanic, _loop: object) -> None:
            app.ctx.weekly_reports = WeeklyReports(settings)
            app.ctx.weekly_reports.start()

        @app.listener("before_server_stop")
        async def stop_weekly_reports(app: Sanic, _loop: object) -> None:
            await app.ctx.weekly_reports.stop()
    app.blueprint(webchat)
    return app
